package encoder

import (
	"encoding/json"
	"os"
	"testing"
)

// The canonical vectors (schemas/canonical-vectors.json, computed by Node.js): Stringify(Parse(input)) must be
// output, byte for byte. Their strings hold no lone surrogate as such (only as the six characters \ud83d), so
// encoding/json reads the file itself faithfully.
func TestCanonicalVectors(t *testing.T) {
	raw, err := os.ReadFile("../../../schemas/canonical-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []struct{ ID, Input, Output string }
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) == 0 {
		t.Fatal("no vectors read")
	}
	for _, v := range file.Vectors {
		value, err := Parse([]byte(v.Input))
		if err != nil {
			t.Errorf("%s: %v", v.ID, err)
			continue
		}
		got, err := Stringify(value)
		if err != nil {
			t.Errorf("%s: %v", v.ID, err)
		} else if string(got) != v.Output {
			t.Errorf("%s: got %.120q, want %.120q", v.ID, got, v.Output)
		}
	}
}

// What Parse refuses, as JSON.parse does.
func TestParseRefusesWhatJSONParseRefuses(t *testing.T) {
	for _, text := range []string{"", "{", `{"a":1,}`, "[1,]", "01", "1.", ".5", "+1", "NaN", "Infinity", `"a` + "\n" + `"`,
		`"\x"`, `"\u12"`, "tru", "[1] 2", "\xff"} {
		if _, err := Parse([]byte(text)); err == nil {
			t.Errorf("Parse(%q) should fail", text)
		}
	}
}

// A Go program builds values too: an object keeps JavaScript's key order, a duplicate Set keeps its position, and
// a string that is not UTF-8 (other than a lone surrogate from Parse) is refused rather than changed.
func TestValuesBuiltInGo(t *testing.T) {
	object := NewObject()
	object.Set("b", 1)
	object.Set("10", []Value{1.5, -0.0, nil, true})
	object.Set("2", "a\u2028</b>")
	object.Set("b", int64(9007199254740993))
	got, err := Stringify(object)
	want := `{"2":"a` + "\u2028" + `</b>","10":[1.5,0,null,true],"b":9007199254740992}`
	if err != nil || string(got) != want {
		t.Errorf("got %s (%v), want %s", got, err, want)
	}
	if _, err := Stringify("\xff"); err == nil {
		t.Error("a string that is not UTF-8 should be refused")
	}
	if _, err := Stringify(map[string]any{"a": 1}); err == nil {
		t.Error("a Go map has no key order: it should be refused")
	}
}
