#!/usr/bin/env python3
"""Reads Prometheus text (the agent's /metrics or metrics_textfile) on stdin with prometheus_client's
parser and prints its families as JSON: {"families": [{"name", "type", "samples": [{"name", "labels",
"value"}]}]}. A text the parser rejects exits 1 with the parser's error. Used by the metrics tests."""
import json
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    sys.exit("prometheus_client is not installed for python3: run `python3 -m pip install prometheus_client==0.26.0`")

try:
    families = [
        {
            "name": family.name,
            "type": family.type,
            "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
        }
        for family in text_string_to_metric_families(sys.stdin.read())
    ]
except Exception as error:  # the parser raises ValueError and others on malformed text
    sys.exit(f"not valid Prometheus text: {error}")
print(json.dumps({"families": families}))
