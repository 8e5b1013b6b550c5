// Package zonetest builds time zones for tests that no tz database holds.
package zonetest

import (
	"bytes"
	"encoding/binary"
	"time"
)

// Abbreviations of the zone Hostile returns.
const (
	HostileStd = "EV\x1b]0;PWN\x07"
	HostileDST = "EVS\x1b[2J"
)

// Hostile builds, in the TZif format of the tz database, a zone
// whose abbreviations hold terminal control sequences, as a zone file
// that ZONEINFO points to may (the review's D12): standard time "EV" plus
// a title change, summer time plus a screen clear, with a transition each
// way every year from 2020 to 2040.
func Hostile() *time.Location {
	std, dst := HostileStd, HostileDST
	chars := std + "\x00" + dst + "\x00"
	var trans []int32
	var types []byte
	for y := 2020; y <= 2040; y++ {
		trans = append(trans, int32(time.Date(y, 3, 29, 1, 0, 0, 0, time.UTC).Unix()), int32(time.Date(y, 10, 25, 1, 0, 0, 0, time.UTC).Unix()))
		types = append(types, 1, 0)
	}
	var b bytes.Buffer
	b.WriteString("TZif")
	b.WriteByte(0) // version 1
	b.Write(make([]byte, 15))
	for _, n := range []int{0, 0, 0, len(trans), 2, len(chars)} { // isut, isstd, leap, time, type, char counts
		binary.Write(&b, binary.BigEndian, int32(n))
	}
	binary.Write(&b, binary.BigEndian, trans)
	b.Write(types)
	for _, tt := range []struct {
		off   int32
		isdst byte
		abbr  byte
	}{{3600, 0, 0}, {7200, 1, byte(len(std) + 1)}} {
		binary.Write(&b, binary.BigEndian, tt.off)
		b.WriteByte(tt.isdst)
		b.WriteByte(tt.abbr)
	}
	b.WriteString(chars)
	loc, err := time.LoadLocationFromTZData("Europe/Berlin", b.Bytes())
	if err != nil {
		panic(err)
	}
	if name, _ := time.Date(2026, 7, 1, 0, 0, 0, 0, loc).Zone(); name != dst {
		panic("zonetest: the crafted zone does not work: " + name)
	}
	return loc
}
