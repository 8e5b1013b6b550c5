package zone

import (
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	a, err := Load("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Load("Europe/Berlin")
	if a != b {
		t.Error("a zone is loaded once and shared")
	}
	if u, _ := Load(""); u != time.UTC {
		t.Error(`"" is UTC`)
	}
	if u, _ := Load("UTC"); u != time.UTC {
		t.Error("UTC is time.UTC")
	}
	for _, bad := range []string{"Local", "Mars/Olympus", "/etc/localtime", "../../etc/passwd", "Europe/Berlin ", "a:b"} {
		if _, err := Load(bad); err == nil {
			t.Errorf("Load(%q) succeeded", bad)
		}
	}
}
