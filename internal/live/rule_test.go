package live

import (
	"os"
	"strings"
	"testing"
)

func TestFromDockerfile(t *testing.T) {
	repo, err := os.ReadFile("../../docker/backend.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	// the example backend's context, with a directory that holds a src/
	ctx := t.TempDir()
	if err := os.CopyFS(ctx, os.DirFS("../../examples/todo-backend")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(ctx+"/nested/src", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dockerfile string
		want             Rule
		err              string // part of the error; "" for none
	}{
		{"the project's backend Dockerfile", string(repo), Rule{"src", "/app/src"}, ""},
		{"relative destination under WORKDIR", "FROM a\nWORKDIR /app\nCOPY src/ ./src/\n", Rule{"src", "/app/src"}, ""},
		{"absolute destination, nested WORKDIR", "FROM a\nWORKDIR /x\nWORKDIR y\nCOPY --chown=1:1 code /app/src\n", Rule{"code", "/app/src"}, ""},
		{"an earlier stage does not count", "FROM a AS b\nWORKDIR /app\nCOPY src ./src\nFROM c\nCOPY --from=b /app/src /app/src\n", Rule{}, "not a COPY of one context directory"},
		{"RUN after the COPY", "FROM a\nWORKDIR /app\nCOPY src ./src\nRUN python -m compileall src\n", Rule{}, "RUN after the COPY"},
		{"RUN before the COPY is fine", "FROM a\nRUN true\nWORKDIR /app\nCOPY src ./src\nCMD x\n", Rule{"src", "/app/src"}, ""},
		{"the whole context", "FROM a\nWORKDIR /app\nCOPY . .\n", Rule{}, "not a COPY of one context directory"},
		{"a file beside it", "FROM a\nWORKDIR /app\nCOPY src ./src\nCOPY alembic.ini migrations ./\n", Rule{"src", "/app/src"}, ""},
		{"a directory holding src, copied to the parent", "FROM a\nWORKDIR /app\nCOPY src ./src\nCOPY nested ./\n", Rule{}, "a second COPY"},
		{"a second COPY into it", "FROM a\nWORKDIR /app\nCOPY src ./src\nCOPY extra.py ./src/\n", Rule{}, "a second COPY"},
		{"ADD may unpack", "FROM a\nADD src /app/src\n", Rule{}, "not a COPY"},
		{"a wildcard", "FROM a\nCOPY sr* /app/src\n", Rule{}, "not a COPY"},
		{"a variable WORKDIR", "FROM a\nWORKDIR $HOME\nCOPY src ./src\n", Rule{}, "WORKDIR with a variable"},
		{"nothing copied there", "FROM a\nWORKDIR /srv\nCOPY src ./src\n", Rule{}, "copies nothing to /app/src"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromDockerfile([]byte(tc.dockerfile), ctx, "/app/src")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	r := Rule{Local: "src", Remote: "/app/src"}
	for _, tc := range []struct {
		name   string
		paths  []string
		live   bool
		reason string
	}{
		{"one code file", []string{"src/main.py"}, true, ""},
		{"nested code and the directory itself", []string{"src/api/v1.py", "src/api", "src"}, true, ""},
		{"requirements", []string{"src/main.py", "requirements.txt"}, false, "requirements.txt is not under src/"},
		{"a migration", []string{"migrations/versions/0002_x.py"}, false, "migrations/versions/0002_x.py is not under src/"},
		{"alembic.ini", []string{"alembic.ini"}, false, "alembic.ini is not under src/"},
		{"a sibling with the same prefix", []string{"srcx/a.py"}, false, "srcx/a.py is not under src/"},
		{"the Dockerfile (absolute: a watched file)", []string{"src/main.py", "/p/docker/backend.Dockerfile"}, false, "backend.Dockerfile changed: a build input"},
		{"the dockerignore", []string{"/p/docker/backend.dockerignore"}, false, "backend.dockerignore changed"},
		{"nothing", nil, false, "nothing changed"},
		{"a module the migrations import", []string{"src/main.py", "src/settings.py"}, false, "src/settings.py is imported by the migrations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := r.Classify(tc.paths, map[string]bool{"src/settings.py": true, "alembic.ini": true})
			if v.Live != tc.live || !strings.Contains(v.Reason, tc.reason) || (tc.live && v.Reason != "") {
				t.Fatalf("%v: %+v, want live %v, reason with %q", tc.paths, v, tc.live, tc.reason)
			}
		})
	}
}
