package starter

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

// IgnoreEnvFile makes sure dir/.gitignore lists the env file, so the
// secrets `up` reads never reach git. It appends one line,
// creating .gitignore when absent, and reports whether it changed anything.
func IgnoreEnvFile(dir, envFile string) (bool, error) {
	path := filepath.Join(dir, ".gitignore")
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return false, err
	}
	entry := "/" + strings.TrimPrefix(filepath.ToSlash(envFile), "/")
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case entry, strings.TrimPrefix(entry, "/"):
			return false, nil
		}
	}
	var add bytes.Buffer
	if len(data) > 0 && data[len(data)-1] != '\n' {
		add.WriteByte('\n')
	}
	add.WriteString("# secrets for helm todo up: never commit them\n" + entry + "\n")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return false, err
	}
	if _, err := f.Write(add.Bytes()); err != nil {
		f.Close()
		return false, err
	}
	return true, f.Close()
}
