module github.com/ismscomms/ismscomms

go 1.23.0

require github.com/teambition/rrule-go v1.8.2

require go.yaml.in/yaml/v3 v3.0.6
