module github.com/ismscomms/ismscomms

go 1.23.0

require github.com/teambition/rrule-go v1.8.2

require go.yaml.in/yaml/v3 v3.0.6

require (
	github.com/arran4/golang-ical v0.3.4 // indirect
	github.com/emersion/go-ical v0.0.0-20250329121855-f41e73efc392 // indirect
)
