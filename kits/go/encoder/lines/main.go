// Command lines is the encoder check's view of the encoder package: for each line of its standard input (one JSON
// text), it writes one line, JSON.stringify(JSON.parse(line)), or "ERROR" and why when the text is not JSON.
//
//	go build -o stringify-lines ./encoder/lines
//	horneross-conformance check-encoder -- ./stringify-lines
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"horneross-conformance.invalid/kits/go/encoder"
)

func main() {
	in := bufio.NewReader(os.Stdin) // ReadBytes has no line limit, unlike bufio.Scanner's 64 KiB
	out := bufio.NewWriter(os.Stdout)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			return
		}
		if err != nil && err != io.EOF {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if value, err := encoder.Parse(line); err != nil {
			fmt.Fprintf(out, "ERROR %v\n", err)
		} else if text, err := encoder.Stringify(value); err != nil {
			fmt.Fprintf(out, "ERROR %v\n", err)
		} else {
			out.Write(text)
			out.WriteByte('\n')
		}
		if out.Flush() != nil { // each answer before the next line is read: the check waits for it
			os.Exit(1)
		}
	}
}
