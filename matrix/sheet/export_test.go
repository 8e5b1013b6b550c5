package sheet

// The tests, and the fuzz targets, hold every plan file Read writes to the
// bound of its size that the builder keeps (see checkSize).
func init() { checkSize = true }
