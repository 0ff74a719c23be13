#ifndef OTA_CZSTD_H
#define OTA_CZSTD_H

// libzstd (Debian: libzstd-dev), for the patches of delta updates: made with the old content as a prefix
// (`zstd --patch-from`), decoded against it.
#include <zstd.h>

#endif
