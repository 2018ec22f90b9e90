package noderig

import "os"

// getenv is os.Getenv, replaced in the package's own test.
var getenv = os.Getenv
