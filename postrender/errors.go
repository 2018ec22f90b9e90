package postrender

import "fmt"

// DocError is a failure on one document of the stream.
type DocError struct {
	Index      int    // from 1, counting non-blank documents
	Kind, Name string // when the document got far enough to tell
	Source     string // the template it came from, when known
	Err        error
}

func (e *DocError) Error() string {
	s := fmt.Sprintf("document %d", e.Index)
	switch {
	case e.Kind != "" && e.Name != "":
		s += " (" + e.Kind + "/" + e.Name + ")"
	case e.Kind != "":
		s += " (" + e.Kind + ")"
	}
	if e.Source != "" {
		s += " from " + e.Source
	}
	return s + ": " + e.Err.Error()
}

func (e *DocError) Unwrap() error { return e.Err }
