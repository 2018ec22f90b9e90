package logs

import (
	"fmt"
	"strings"
)

// ANSI colours per component, for a terminal only.
var colours = map[string]string{
	"backend":   "\x1b[36m", // cyan
	"frontend":  "\x1b[35m", // magenta
	"migration": "\x1b[33m", // yellow
}

const reset = "\x1b[0m"

// prefix is a line's label: the component and the pod's own suffix (which
// tells replicas and the old pod from the new one apart), padded so the
// messages line up.
func prefix(component, pod string, colour bool) string {
	label := component
	if i := strings.LastIndexByte(pod, '-'); i >= 0 && i < len(pod)-1 {
		label += "/" + pod[i+1:]
	}
	label = fmt.Sprintf("%-15s|", label)
	if !colour {
		return label
	}
	c, ok := colours[component]
	if !ok {
		c = "\x1b[32m"
	}
	return c + label + reset
}
