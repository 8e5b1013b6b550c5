package csvlimit

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		data string
		want string // "" for no error
	}{
		{"a,b,c\n1,2,3\n", ""},
		{"a,b,c\n1,2,3,4\n", "line 2: more than 3 fields"},
		{"a,b\n\"x,y,z\",2\n", ""},                  // commas inside quotes are data
		{"a,b\n\"x\n,y,z\",2\n1,2,3,4\n", "line 4"}, // a quoted line break counts as a line
		{"a,b\n\"x\"\"y,z\",2\n", ""},               // an escaped quote does not close the field
		{"a,b\nx\"y,z,w,v\n", "line 2"},             // a quote inside a field opens nothing
		{strings.Repeat(",", 5000), "line 1: more than 3 fields"},
	}
	for _, c := range cases {
		err := Check([]byte(c.data), ',', 3)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("Check(%.30q) = %v, want nil", c.data, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("Check(%.30q) = %v, want %q", c.data, err, c.want)
		}
	}
	if err := Check([]byte("a;b;c;d"), ';', 3); err == nil {
		t.Error("the delimiter is not the one counted")
	}
}

func TestCheckAllocatesNothing(t *testing.T) {
	data := []byte(strings.Repeat("a,b,\"c,d\"\n", 10000))
	if n := testing.AllocsPerRun(10, func() { _ = Check(data, ',', 4) }); n != 0 {
		t.Errorf("Check allocates %v times", n)
	}
}

// FuzzCheck: whatever data is, when Check accepts it, encoding/csv (as
// the roster and acknowledgement readers set it up) reads no record of
// more than max fields; when Check refuses it, a record there has more.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a,\"b,\nc\",d\n", "\"\"\"\",,\n", ",,,,,\n", "a\r\nb,c,d,e\r\n", "\"x\"y,z\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 3
		err := Check(data, ',', limit)
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		widest := 0
		for {
			rec, rerr := r.Read()
			if rerr != nil {
				break // a syntax error ends reading, as it ends the decoders'
			}
			widest = max(widest, len(rec))
		}
		if err == nil && widest > limit {
			t.Fatalf("Check accepted a record of %d fields:\n%q", widest, data)
		}
	})
}
