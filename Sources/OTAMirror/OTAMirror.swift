// The GitHub-compatible release server (`ota serve`). See SPEC §7.
import OTA
