"""Write schemas/canonical-vectors.json: what ``JSON.stringify(JSON.parse(text))`` writes, for any language.

Each vector is a JSON text, the exact output Node.js gives for it (computed here, by running node), and why the
vector is there. This script also checks every output against ``canonical_bytes`` and refuses to write a file where
the two differ; tests/core/test_canonical_vectors.py checks the file against Node again, so it does not depend on
trusting this script. Run: python scripts/generate_canonical_vectors.py (Node.js on PATH).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from horneross_conformance import canonical_bytes
from horneross_conformance.core.contract import MAX_JSON_DEPTH

OUT = Path(__file__).resolve().parent.parent / "schemas" / "canonical-vectors.json"

# The toolkit reads JSON from outside at most MAX_JSON_DEPTH (100) levels deep (docs/contract.md, decision 18): the
# deepest vector is exactly that deep.
MAX_DEPTH = MAX_JSON_DEPTH
LONG = 66_000  # bytes of text in the long vector: past the 64 KiB that line readers and buffers often stop at


def deep(levels: int) -> str:
    """``levels`` nested containers, objects and arrays in turn, with white space, around a string."""
    opening = "".join('{ "a" :' if level % 2 == 0 else "[ 1 ," for level in range(levels))
    closing = "".join(" }" if level % 2 == 0 else " ]" for level in reversed(range(levels)))
    return opening + ' "deepest" ' + closing


def long_text() -> str:
    piece = "Hola, necesito ayuda con mi pedido numero 12345, gracias! 😀 \\u00f1 "  # an escape, as it may come
    repeated = piece * (LONG // len(piece.encode()) + 1)
    return '{"content":"' + repeated + '"}'


# (id, input text, why). The ids are stable: the table of encoders in docs/sender-suite.md cites them.
VECTORS: list[tuple[str, str, str]] = [
    # -- structure
    (
        "documentation-example",
        '{"id":"evt_abc123","type":"conversation.message.created","timestamp":"2024-01-21T15:30:00Z",'
        '"data":{"conversationId":"conv_abc123","messageId":"msg_xyz789","role":"user",'
        '"content":"Hola, necesito ayuda","contact":{"email":"cliente@ejemplo.com"}}}',
        "The documentation's own event: written back byte for byte.",
    ),
    (
        "whitespace-between-tokens",
        '{ "a" : [ 1 , true , null ] ,\t"b" : { } , "c":"x y" }',
        "JSON.stringify writes no white space between tokens: no indentation, no space after ':' or ','.",
    ),
    (
        "literals",
        "[true,false,null]",
        "true, false and null are written as they are.",
    ),
    (
        "empty-containers",
        '{"object":{},"array":[],"text":"","nested":[{},[]]}',
        "An empty object stays {} and an empty array []: PHP's json_decode($text, true) makes both an empty array.",
    ),
    (
        "index-keys-object-is-not-an-array",
        '{"0":"a","1":"b","2":"c"}',
        "An object whose keys are 0, 1, 2 stays an object: PHP's associative arrays write it as a list.",
    ),
    (
        "top-level-scalars",
        '["text",42,null]',
        "Scalars and arrays are values too; JSON.parse accepts any value at the top (see top-level-string).",
    ),
    (
        "top-level-string",
        '"just a string"',
        "A JSON text may be a lone string: JSON.parse accepts it and JSON.stringify writes it back.",
    ),
    (
        "deep-nesting",
        deep(MAX_DEPTH),
        f"{MAX_DEPTH} levels of objects and arrays, the deepest JSON the toolkit reads from outside (Ruby's JSON.parse"
        " refuses more by default): an encoder must write it, without white space.",
    ),
    (
        "long-text",
        long_text(),
        f"A text of about {LONG // 1000} KB, past the 64 KiB where line readers and buffers often stop (Go's "
        "bufio.Scanner does by default) and where a chunked writer may cut a character in two.",
    ),
    # -- keys
    (
        "keys-insertion-order",
        '{"zebra":1,"apple":2,"mango":{"y":1,"x":2}}',
        "Keys stay in the order they came in: Go's maps, Python's sort_keys and Jackson's ORDER_MAP_ENTRIES_BY_KEYS "
        "sort them.",
    ),
    (
        "keys-integer-like-first",
        '{"b":1,"10":2,"2":3,"a":4,"0":5}',
        "Keys that are array indexes (canonical decimals 0 to 4294967294) come first, in ascending numeric order, "
        "then the other keys in insertion order: every ordered map outside JavaScript keeps them where they came.",
    ),
    (
        "keys-integer-like-numeric-order",
        '{"100":"c","20":"b","3":"a"}',
        "Integer-like keys are ordered as numbers (3, 20, 100), not as strings (100, 20, 3).",
    ),
    (
        "keys-largest-array-index",
        '{"a":0,"4294967295":1,"4294967294":2}',
        "4294967294 (2^32 - 2) is the largest array index and moves first; 4294967295 is an ordinary key and stays in "
        "insertion order.",
    ),
    (
        "keys-not-integer-like",
        '{"x":0,"01":1,"-1":2,"1.5":3,"1e3":4," 1":5,"+1":6,"00":7,"-0":8,"\\u0661":9,"9":10}',
        "Only canonical ASCII decimals are integer-like: a leading zero, a sign, a fraction, an exponent, a space or "
        "an Arabic-Indic digit keep a key in insertion order; only '9' moves first.",
    ),
    (
        "keys-order-in-nested-objects",
        '{"b":{"z":1,"1":2},"a":[{"y":1,"x":2,"0":3}]}',
        "The key order rule holds in every object, nested ones and objects inside arrays included.",
    ),
    (
        "keys-duplicate",
        '{"a":1,"b":2,"a":3}',
        "A duplicate key is one member, at the position of its first occurrence with its last value (Go's "
        "encoding/json and Python keep the last value too; a naive ordered decoder keeps both or moves the key).",
    ),
    (
        "keys-duplicate-integer-like",
        '{"b":0,"1":"x","c":0,"1":"y"}',
        "A duplicate integer-like key: one member, first among the keys, with its last value.",
    ),
    (
        "keys-escaped",
        '{"\\u2028":1,"<\\/":2,"\\u00e9":3,"\\ud83d":4,"\\u0000":5}',
        "Keys are strings, written with the same escapes as values: U+2028, '/' and é raw, the lone surrogate and "
        "U+0000 escaped.",
    ),
    (
        "keys-proto",
        '{"__proto__":{"a":1},"constructor":2}',
        "'__proto__' is an ordinary key to JSON.parse (an own property) and JSON.stringify writes it.",
    ),
    # -- numbers
    (
        "numbers-integers",
        "[0,1,-1,42,9007199254740991,-9007199254740991]",
        "Integers up to 2^53 - 1 are written as they are.",
    ),
    (
        "numbers-integral-doubles",
        "[1.0,-2.50,100.000,1.5e1,1E2,1e+2,10E-1,0e0]",
        "A number is a double, whatever its literal: 1.0 is written 1, 1.5e1 is 15 (Ruby, Jackson and PHP keep "
        "the fraction of a float: 1.0).",
    ),
    (
        "numbers-negative-zero",
        "[-0,-0.0,-0e5,-1e-400]",
        "Negative zero is written 0 (so is -1e-400, which rounds to -0).",
    ),
    (
        "numbers-beyond-2-53",
        "[9007199254740992,9007199254740993,9007199254740995,18446744073709551616,123456789012345678901234567890]",
        "Integers beyond 2^53 become the nearest double, ties to even: 9007199254740993 is written "
        "9007199254740992, 2^64 is 18446744073709552000, and 30 digits switch to exponent form. Encoders with "
        "64-bit or big integers keep them exact.",
    ),
    (
        "numbers-int64-limits",
        "[9223372036854775807,-9223372036854775808,4294967296]",
        "The limits of a 64-bit integer are doubles too: 9223372036854775807 is written 9223372036854776000.",
    ),
    (
        "numbers-plain-below-1e21",
        "[1e20,123456789012345680000,999999999999999900000,1e21,1.5e21,-1e21]",
        "Up to 1e21 (excluded) numbers are written in plain digits, from 1e21 in exponent form with a sign: 1e+21.",
    ),
    (
        "numbers-plain-from-1e-6",
        "[0.000001,1e-6,0.0000012,1e-7,1.2e-7,-0.0000001]",
        "From 1e-6 numbers are written in plain digits, below in exponent form without padding: 1e-7, not 1e-07.",
    ),
    (
        "numbers-exponent-form",
        "[1e100,1.7976931348623157e308,5e-324,2.2250738585072014e-308,-1.5e-10,1.25e+30]",
        "Exponent form is d.ddde+N or d.ddde-N: lowercase e, a sign always, no leading zero, no .0 (Java writes "
        "1.0E100).",
    ),
    (
        "numbers-shortest-digits",
        "[0.1,0.2,0.30000000000000004,0.3000000000000000444,3.14159265358979323846,100.5,2.5e-5]",
        "The shortest digits that round-trip to the same double: 0.1 stays 0.1 (not 0.1000000000000000055), and "
        "extra digits in the text are dropped.",
    ),
    (
        "numbers-beyond-the-largest-double",
        "[1e400,-1e400]",
        "A number beyond the largest double is Infinity to JSON.parse, which JSON.stringify writes as null.",
    ),
    # -- strings
    (
        "strings-non-ascii",
        '["Mar\\u00eda","\u00f1and\u00fa","\u4f60\u597d","\u0645\u0631\u062d\u0628\u0627","\u03a9"]',
        "Non-ASCII text is written raw, in UTF-8, whether it came raw or escaped (PHP and .NET escape it as "
        "\\u00ed by default).",
    ),
    (
        "strings-non-bmp",
        '["\U0001f600","\\ud83d\\ude00","\U0001d11e"]',
        "A character beyond U+FFFF is written raw in UTF-8 (4 bytes), whether it came raw or as an escaped "
        "surrogate pair.",
    ),
    (
        "strings-lone-surrogates",
        '["cut \\ud83d","\\ude00 alone","\\ude00\\ud83d","\\uD83D"]',
        "A lone surrogate (a message cut in the middle of an emoji) is kept by JSON.parse and written as a lowercase "
        "\\udxxx escape: most decoders outside JavaScript replace it with U+FFFD or refuse it.",
    ),
    (
        "strings-line-separators",
        '["a\\u2028b","c\\u2029d","raw\u2028\u2029"]',
        "U+2028 and U+2029 are written raw (Go's encoding/json and PHP escape them).",
    ),
    (
        "strings-slash",
        '["</script>","a\\/b","https://example.com/x"]',
        "'/' is written raw, whether it came escaped or not (PHP escapes it by default).",
    ),
    (
        "strings-html-characters",
        '["<b>&amp;</b>","it\'s","a+b=c","`x`"]',
        "<, >, &, ', + and ` are written raw (Go escapes <, > and &; .NET escapes them all by default).",
    ),
    (
        "strings-quote-and-backslash",
        '["say \\"hi\\"","C:\\\\path\\\\to","\\\\u0041"]',
        'Only " and \\ are escaped among printable characters, as \\" and \\\\.',
    ),
    (
        "strings-short-escapes",
        '["\\b\\f\\n\\r\\t","\\u0008\\u000C\\u000a\\u000D\\u0009"]',
        "Backspace, form feed, line feed, carriage return and tab are written \\b \\f \\n \\r \\t, however they came.",
    ),
    (
        "strings-control-characters",
        '["\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007","\\u000B\\u000E\\u000F\\u0010\\u0011\\u0012'
        '\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001A\\u001B\\u001C\\u001D\\u001E\\u001F"]',
        "The other characters below U+0020 are written \\u00XX with lowercase hex digits (Jackson writes uppercase).",
    ),
    (
        "strings-del-and-c1-controls",
        '["del\\u007f","nel\\u0085","\\u0080\\u009f"]',
        "U+007F and the C1 controls (U+0080 to U+009F) are written raw.",
    ),
    (
        "strings-escaped-ascii",
        '["\\u0041\\u0062\\u0063","\\u0020\\u007e"]',
        "An escape of a character that needs none is written as the character.",
    ),
    (
        "strings-invisible-and-noncharacters",
        '["\\ufeff","\\u200b\\u200d","\\ufffd","\\uffff","\\u00ad"]',
        "A byte order mark, zero-width characters, U+FFFD, the noncharacter U+FFFF and the soft hyphen are written "
        "raw.",
    ),
]


def node_outputs(texts: list[str]) -> list[str]:
    """``JSON.stringify(JSON.parse(text))`` for each text, computed by Node.js."""
    node = shutil.which("node")
    if node is None:
        sys.exit("node is not on PATH: the vectors' outputs are computed by Node.js")
    script = (
        "let s='';process.stdin.setEncoding('utf8');process.stdin.on('data',c=>s+=c);"
        "process.stdin.on('end',()=>process.stdout.write(JSON.stringify(JSON.parse(s).map("
        "t=>JSON.stringify(JSON.parse(t))))))"
    )
    done = subprocess.run(
        [node, "-e", script],
        input=json.dumps(texts, ensure_ascii=True),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    outputs: list[str] = json.loads(done.stdout)
    return outputs


def vectors() -> list[dict[str, str]]:
    outputs = node_outputs([text for _, text, _ in VECTORS])
    entries = []
    for (name, text, why), output in zip(VECTORS, outputs, strict=True):
        if "\n" in text or "\r" in text:
            sys.exit(f"{name}: an input must be one line")
        ours = canonical_bytes(json.loads(text))
        if ours != output.encode("utf-8"):
            sys.exit(f"{name}: canonical_bytes gives {ours[:200]!r}, Node {output[:200]!r}")
        entries.append({"id": name, "input": text, "output": output, "why": why})
    return entries


def main() -> None:
    document = {
        "$schema": "meta/canonical-vectors.schema.json",
        "description": (
            "JSON.stringify test vectors. For each vector: parse 'input' as JSON.parse does, write it back as "
            "JSON.stringify does, and compare the UTF-8 bytes with the UTF-8 bytes of 'output', which Node.js "
            "computed. Each input is one line (no CR or LF); every output is well-formed Unicode (a lone surrogate "
            "is written as the six characters \\ud83d). 'why' says what the vector catches."
        ),
        "vectors": vectors(),
    }
    OUT.write_text(json.dumps(document, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
    print(f"wrote {len(document['vectors'])} vectors to {OUT}")


if __name__ == "__main__":
    main()
