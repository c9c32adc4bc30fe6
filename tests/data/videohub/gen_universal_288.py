#!/usr/bin/env python3
"""Writes universal_videohub_288.txt and its expected parse, universal_videohub_288.json.

A Universal Videohub 288 prelude with 288 inputs, outputs and serial ports, written straight
from the protocol description (header line, body lines, blank line; LF). It deliberately does
not use the C++ encoder, so an encoder bug cannot also hide in this transcript.
Both outputs are committed; rerun only to change the transcript:
    python3 gen_universal_288.py
"""
import json
import os

N = 288
HERE = os.path.dirname(os.path.abspath(__file__))


def input_label(i):
    return "Router In %03d" % (i + 1)


def output_label(o):
    return "Router Out %03d" % (o + 1) if o % 10 else "Multiviewer %d Quad" % (o // 10 + 1)


def serial_label(p):
    return "Deck Control %d" % (p + 1)


def route(o):
    return (o * 7 + 3) % N


def serial_route(p):
    return (p + 1) % N


def lock(o):
    if o % 5 == 0:
        return "L"
    if o % 7 == 0:
        return "O"
    return "U"


def direction(p):
    return ("control", "slave", "auto")[p % 3]


def main():
    blocks_text = []
    expected = []

    def block(header, lines):
        blocks_text.append(header + ":\n" + "".join(line + "\n" for line in lines) + "\n")

    block("PROTOCOL PREAMBLE", ["Version: 2.4"])
    expected.append({"type": "preamble", "version": "2.4"})

    block("VIDEOHUB DEVICE", [
        "Device present: true",
        "Model name: Blackmagic Universal Videohub 288",
        "Friendly name: Central Apparatus Room",
        "Unique ID: 7C2E0D998877",
        "Video inputs: %d" % N,
        "Video processing units: 0",
        "Video outputs: %d" % N,
        "Video monitoring outputs: 0",
        "Serial ports: %d" % N,
    ])
    expected.append({"type": "device", "present": "true",
                     "model_name": "Blackmagic Universal Videohub 288",
                     "friendly_name": "Central Apparatus Room", "unique_id": "7C2E0D998877",
                     "video_inputs": N, "processing_units": 0, "video_outputs": N,
                     "monitoring_outputs": 0, "serial_ports": N})

    for header, port, label in (("INPUT LABELS", "input", input_label),
                                ("OUTPUT LABELS", "output", output_label),
                                ("SERIAL PORT LABELS", "serial", serial_label)):
        block(header, ["%d %s" % (i, label(i)) for i in range(N)])
        expected.append({"type": "labels", "port": port,
                         "labels": [[i, label(i)] for i in range(N)]})

    block("VIDEO OUTPUT ROUTING", ["%d %d" % (o, route(o)) for o in range(N)])
    expected.append({"type": "routing", "port": "output",
                     "routes": [[o, route(o)] for o in range(N)]})
    block("SERIAL PORT ROUTING", ["%d %d" % (p, serial_route(p)) for p in range(N)])
    expected.append({"type": "routing", "port": "serial",
                     "routes": [[p, serial_route(p)] for p in range(N)]})

    block("VIDEO OUTPUT LOCKS", ["%d %s" % (o, lock(o)) for o in range(N)])
    expected.append({"type": "locks", "port": "output", "locks": [[o, lock(o)] for o in range(N)]})
    block("SERIAL PORT LOCKS", ["%d U" % p for p in range(N)])
    expected.append({"type": "locks", "port": "serial", "locks": [[p, "U"] for p in range(N)]})

    # Blocks the codec does not act on: kept as unknown, only their first 16 lines.
    unknown = [
        ("SERIAL PORT DIRECTIONS", ["%d %s" % (p, direction(p)) for p in range(N)]),
        ("VIDEO INPUT STATUS", ["%d %s" % (i, "BNC" if i < 144 else "Optical") for i in range(N)]),
        ("VIDEO OUTPUT STATUS", ["%d %s" % (o, "BNC" if o < 200 else "None") for o in range(N)]),
        ("SERIAL PORT STATUS", ["%d RS422" % p for p in range(N)]),
        ("ALARM STATUS", ["Fan 0: ok", "Fan 1: ok", "Power Supply Slot 0: ok",
                          "Power Supply Slot 1: failed"]),
    ]
    for header, lines in unknown:
        block(header, lines)
        expected.append({"type": "unknown", "header": header, "line_count": len(lines),
                         "lines": lines[:16]})

    line_count = sum(text.count("\n") for text in blocks_text)
    with open(os.path.join(HERE, "universal_videohub_288.txt"), "w", newline="\n") as out:
        out.write("".join(blocks_text))
    doc = {
        "description": "A Universal Videohub 288 prelude (%d lines) written by "
                       "gen_universal_288.py: 288 inputs, outputs and serial ports, port "
                       "status and alarm blocks, no END PRELUDE." % line_count,
        "stats": {"blocks": len(expected), "unknown_blocks": len(unknown), "malformed_lines": 0,
                  "oversized_lines": 0, "dropped_lines": 0},
        "blocks": expected,
    }
    with open(os.path.join(HERE, "universal_videohub_288.json"), "w", newline="\n") as out:
        json.dump(doc, out, ensure_ascii=False, separators=(",", ":"))
        out.write("\n")


if __name__ == "__main__":
    main()
