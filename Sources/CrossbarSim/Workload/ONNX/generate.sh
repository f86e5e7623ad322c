#!/bin/sh
# Regenerates Generated/*.pb.swift from onnx.proto (ONNX 1.23, proto2, package onnx). Run by hand when the
# schema is updated, never on a build: the generated file is committed.
#   needs: protoc (Debian protobuf-compiler) and protoc-gen-swift built from apple/swift-protobuf
#   at the version Package.swift names:  swift build -c release --product protoc-gen-swift
set -e
cd "$(dirname "$0")"
tmp=$(mktemp -d)
protoc --plugin="${PROTOC_GEN_SWIFT:-protoc-gen-swift}" --swift_out="$tmp" onnx.proto
# one file per top-level message, long ones in parts of at most ~400 lines (the generated file is ~4,000)
python3 split.py "$tmp/onnx.pb.swift"
rm -r "$tmp"
