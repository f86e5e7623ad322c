#!/usr/bin/env python3
"""Splits protoc-gen-swift's onnx.pb.swift into one file per top-level message or enum
(Generated/Onnx_NAME.pb.swift); every file gets the header, imports and `_protobuf_package`. A
message longer than LIMIT lines is packed into several files at declaration boundaries (the
declaration, its runtime extension, its nested types' extensions: Onnx_NAME+Nested.pb.swift), and
its storage, fileprivate in the generated code, becomes internal so the files can share it. Lines
past WIDTH columns are wrapped (`wrap`): conformance lists, doc comments, name-map bytecode (as a
multi-line literal, which a StaticString may be) and `x = f(...) {` headers.

  python3 split.py onnx.pb.swift          # split (generate.sh runs this)
  python3 split.py --wrap FILE...         # only wrap the long lines of existing files"""
import os, re, sys

WIDTH = 120

def wrap(lines):
    out = []
    for l in lines:
        if len(l) <= WIDTH:
            out.append(l); continue
        ind = l[:len(l) - len(l.lstrip())]
        m = re.match(r"^(\s*(?:\S+ )*extension [^:]+: )(.*) \{$", l)
        if m:   # a conformance list: one line per the width
            head, confs, cur = m.group(1), m.group(2).split(", "), m.group(1)
            parts = []
            for k, c in enumerate(confs):
                piece = c + ("," if k < len(confs) - 1 else " {")
                if len(cur) + len(piece) + 1 > WIDTH and cur.strip() != head.strip():
                    parts.append(cur.rstrip()); cur = ind + "  " + piece
                else:
                    cur += ("" if cur.endswith(": ") else " ") + piece
            out += parts + [cur]; continue
        m = re.match(r"^(\s*///? ?)(.*)$", l)
        if m:   # a comment: re-flowed
            pre, cur = m.group(1), m.group(1)
            for w in m.group(2).split(" "):
                if len(cur) + len(w) + 1 > WIDTH and cur != pre:
                    out.append(cur.rstrip()); cur = pre
                cur += ("" if cur == pre else " ") + w
            out.append(cur.rstrip()); continue
        m = re.match(r'^(\s*.*_NameMap\(bytecode: )"(.*)"\)$', l)
        if m:   # bytecode: a multi-line literal, continued at \0 separators
            body, rows, cur = m.group(2), [], ind + "  "
            for field in re.split(r"(?=\\0)", body):
                if len(cur) + len(field) + 1 > WIDTH and cur.strip():
                    rows.append(cur + "\\"); cur = ind + "  "
                cur += field
            rows.append(cur)
            out += [m.group(1) + '"""'] + rows + [ind + '  """)']; continue
        m = re.match(r"^(\s*(?:let|var) [^=]+= )(.*)$", l)
        if m:   # an assignment: the value on the next line
            out += [m.group(1).rstrip(), ind + "  " + m.group(2)]; continue
        out.append(l)
    return out

if len(sys.argv) > 1 and sys.argv[1] == "--wrap":
    for path in sys.argv[2:]:
        text = open(path, encoding="utf-8").read().split("\n")
        open(path, "w", encoding="utf-8").write("\n".join(wrap(text)))
    sys.exit(0)

src = sys.argv[1] if len(sys.argv) > 1 else "onnx.pb.swift"
lines = open(src, encoding="utf-8").read().split("\n")
start = re.compile(r"^(fileprivate )?nonisolated (struct|enum|extension|let) ([A-Za-z_][A-Za-z0-9_.]*)")
LIMIT = 400
first = next(i for i, l in enumerate(lines) if start.match(l))
head = lines[:first]
while head and head[-1].strip() == "":
    head.pop()
items, i = [], first
while i < len(lines):
    # an item: its leading comments, then the declaration up to the next top-level item
    j = i
    while j < len(lines) and not start.match(lines[j]):
        j += 1
    if j == len(lines):
        break
    k = j + 1
    while k < len(lines) and not start.match(lines[k]):
        k += 1
    # give trailing comment/blank lines before the next item to that item
    end = k
    while end > j + 1 and (lines[end - 1].startswith("//") or lines[end - 1].strip() == ""):
        end -= 1
    if k == len(lines):
        end = k
    items.append((start.match(lines[j]).group(3), lines[i:end]))
    i = end
groups, order = {}, []
for name, body in items:
    if name in ("_GeneratedWithProtocGenSwiftVersion", "_protobuf_package"):
        name = "Onnx_Version"
    root = name.split(".")[0]
    if root not in groups:
        groups[root] = []
        order.append(root)
    groups[root].append(body)
out = "Generated"
os.makedirs(out, exist_ok=True)
for f in os.listdir(out):
    if f.endswith(".pb.swift"):
        os.remove(os.path.join(out, f))
def chunks(root, bodies):
    """(file name, lines) of one top-level type: one file, or several of at most LIMIT lines."""
    if sum(len(b) for b in bodies) <= LIMIT:
        return [(root, [l for b in bodies for l in b])]
    shared = re.compile(r"^(\s+)fileprivate ")   # members (storage, unknown-field names), not the file's package constant
    out, name, cur = [], root, []
    for b in bodies:
        b = [shared.sub(r"\1", l) for l in b]
        if cur and len(cur) + len(b) > LIMIT:
            out.append((name, cur))
            cur = []
            decl = next(start.match(l) for l in b if start.match(l)).group(3)
            name = root + "+" + (decl.split(".", 1)[1] if "." in decl else "Message")
        cur += b
    out.append((name, cur))
    return out

for root in order:
    parts = chunks(root, groups[root])
    note = "one top-level type per file." if len(parts) == 1 else "one top-level type per file, this one in %d parts." % len(parts)
    for name, text in parts:
        needs = any("_protobuf_package" in l and "let _protobuf_package" not in l for l in text)
        has = any("let _protobuf_package" in l for l in text)
        pkg = ['fileprivate nonisolated let _protobuf_package = "onnx"', ""] if needs and not has else []
        body = "\n".join(wrap(head + ["", "// Split from onnx.pb.swift by split.py: " + note, ""] + pkg + text)).rstrip() + "\n"
        open(os.path.join(out, name + ".pb.swift"), "w", encoding="utf-8").write(body)
print(f"{len([f for f in os.listdir(out) if f.endswith('.pb.swift')])} files in {out}/ ({len(order)} top-level types)")
