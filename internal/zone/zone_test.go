package zone

import (
	"archive/zip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
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
	for _, good := range []string{"America/New_York", "Etc/UTC", "US/Eastern", "Asia/Kolkata", "Asia/Calcutta", "Europe/Kyiv", "Australia/Lord_Howe"} {
		if _, err := Load(good); err != nil {
			t.Errorf("Load(%q): %v", good, err)
		}
	}
	for _, bad := range []string{
		"Local", "Mars/Olympus", "/etc/localtime", "../../etc/passwd", "Europe/Berlin ", "a:b",
		// Files of a zoneinfo directory that time.LoadLocation reads but
		// that are not zones of the IANA database.
		"localtime", "posixrules", "right/UTC", "right/Europe/Berlin", "posix/Europe/Berlin", "Factory",
		"zone.tab", "tzdata.zi", "leapseconds", "europe/berlin", "Europe//Berlin", "Europe/Berlin/",
		"Europe/Berlin\x00", "Europe/Berlin\u202e", strings.Repeat("A/", 1000),
	} {
		if _, err := Load(bad); err == nil {
			t.Errorf("Load(%q) succeeded", bad)
		} else if strings.ContainsAny(err.Error(), "\x00\u202e") || len(err.Error()) > 200 {
			t.Errorf("Load(%q): the message repeats the name unescaped or whole: %q", bad, err)
		}
	}
}

// TestNamesMatchGo: the list Load accepts is Go's copy of the database
// (regenerate with go generate when Go updates it).
func TestNamesMatchGo(t *testing.T) {
	path := filepath.Join(runtime.GOROOT(), "lib", "time", "zoneinfo.zip")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s: %v", path, err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var want []string
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") && f.Name != "Factory" {
			want = append(want, f.Name)
		}
	}
	slices.Sort(want)
	if got := sorted(); !slices.Equal(got, want) {
		t.Errorf("names.go holds %d names, Go's database %d: run go generate ./internal/zone", len(got), len(want))
	}
	for _, n := range sorted() {
		if _, err := time.LoadLocation(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}
