// An encoder built on Go's encoding/json, as most Go code serializes JSON: check-encoder must refuse it (keys
// sorted, <, >, &, U+2028 and U+2029 escaped, lone surrogates replaced, -0 kept). The README shows its report.
//
//	go build -o stdlib-json stdlib_json.go
//	horneross-conformance check-encoder -- ./stdlib-json
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	in := bufio.NewReader(os.Stdin)
	for {
		line, err := in.ReadBytes('\n')
		if err != nil {
			return
		}
		var value any
		if err := json.Unmarshal(line, &value); err != nil {
			fmt.Println("ERROR", err)
			continue
		}
		out, err := json.Marshal(value)
		if err != nil {
			fmt.Println("ERROR", err)
			continue
		}
		fmt.Println(string(out)) // os.Stdout is not buffered in Go: each answer goes out at once
	}
}
