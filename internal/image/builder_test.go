package image

import (
	"context"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/internal/clierr"
	"github.com/helm-todo/helm-todo/internal/command"
	"github.com/helm-todo/helm-todo/internal/testsupport/standin"
)

func TestBuildCmd(t *testing.T) {
	args := map[string]string{"NEXT_PUBLIC_B": "2", "NEXT_PUBLIC_A": "1"}
	tests := map[string]struct {
		b       Builder
		noCache bool
		want    string
	}{
		"docker": {b: Builder{Kind: Docker},
			want: "docker build -f /s/frontend.Dockerfile -t todo-frontend:abc --build-arg NEXT_PUBLIC_A=1 --build-arg NEXT_PUBLIC_B=2 /app"},
		"docker always pulls, no cache": {b: Builder{Kind: Docker, Pull: PullAlways}, noCache: true,
			want: "docker build -f /s/frontend.Dockerfile -t todo-frontend:abc --pull --build-arg NEXT_PUBLIC_A=1 --build-arg NEXT_PUBLIC_B=2 --no-cache /app"},
		"podman": {b: Builder{Kind: Podman},
			want: "podman build --format docker -f /s/frontend.Dockerfile -t docker.io/library/todo-frontend:abc --ignorefile /s/frontend.dockerignore --pull=missing --build-arg NEXT_PUBLIC_A=1 --build-arg NEXT_PUBLIC_B=2 /app"},
		"buildah for the test rig": {b: Builder{Kind: Buildah, Pull: PullNever, GlobalArgs: []string{"--storage-driver", "vfs"}, BuildArgs: []string{"--isolation", "chroot"}},
			want: "buildah --storage-driver vfs build --format docker -f /s/frontend.Dockerfile -t docker.io/library/todo-frontend:abc --ignorefile /s/frontend.dockerignore --pull=never --layers --build-arg NEXT_PUBLIC_A=1 --build-arg NEXT_PUBLIC_B=2 --isolation chroot /app"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := tc.b.BuildCmd("/s/frontend.Dockerfile", "/s/frontend.dockerignore", "/app", tc.b.LocalRef("todo-frontend", "abc"), args, tc.noCache)
			if got := c.String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if tc.b.Kind == Docker && (len(c.Env) != 1 || c.Env[0] != "DOCKER_BUILDKIT=1") {
				t.Errorf("docker needs BuildKit for the <Dockerfile>.dockerignore convention; env %v", c.Env)
			}
		})
	}
}

func TestBuilderCmds(t *testing.T) {
	tests := map[string]struct{ got, want string }{
		"docker exists":   {Builder{Kind: Docker}.ExistsCmd("a:1").String(), "docker image inspect --format '{{.Id}}' a:1"},
		"podman exists":   {Builder{Kind: Podman}.ExistsCmd("a:1").String(), "podman image exists a:1"},
		"buildah exists":  {Builder{Kind: Buildah, GlobalArgs: []string{"--storage-driver=vfs"}}.ExistsCmd("a:1").String(), "buildah --storage-driver=vfs inspect --type image --format '{{.FromImageID}}' a:1"},
		"docker save":     {Builder{Kind: Docker}.SaveCmd("a:1", "/t/a.tar").String(), "docker save -o /t/a.tar a:1"},
		"podman save":     {Builder{Kind: Podman}.SaveCmd("a:1", "/t/a.tar").String(), "podman save --format docker-archive -o /t/a.tar a:1"},
		"buildah save":    {Builder{Kind: Buildah}.SaveCmd("a:1", "/t/a.tar").String(), "buildah push a:1 docker-archive:/t/a.tar:a:1"},
		"buildah push":    {Builder{Kind: Buildah}.PushCmd("r.io/a:1").String(), "buildah push r.io/a:1 docker://r.io/a:1"},
		"docker push":     {Builder{Kind: Docker}.PushCmd("r.io/a:1").String(), "docker push r.io/a:1"},
		"docker size":     {Builder{Kind: Docker}.SizeCmd("a:1").String(), "docker image inspect --format '{{.Size}}' a:1"},
		"buildah size":    {Builder{Kind: Buildah}.SizeCmd("a:1").String(), "buildah images --format '{{.Size}}' a:1"},
		"size in bytes":   {Builder{Kind: Docker}.ParseSize([]byte("123456789\n")), "123 MB"},
		"size from human": {Builder{Kind: Buildah}.ParseSize([]byte("312 MB\n")), "312 MB"},
		"small size":      {HumanSize(999), "999 B"},
	}
	for name, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %s, want %s", name, tc.got, tc.want)
		}
	}
}

func TestQualified(t *testing.T) {
	for in, want := range map[string]string{
		"todo-backend":           "docker.io/library/todo-backend",
		"me/todo-backend":        "docker.io/me/todo-backend",
		"localhost/todo-backend": "localhost/todo-backend",
		"ghcr.io/me/todo":        "ghcr.io/me/todo",
		"localhost:5000/todo":    "localhost:5000/todo",
		"docker.io/library/x":    "docker.io/library/x",
	} {
		if got := Qualified(in); got != want {
			t.Errorf("Qualified(%q) = %q, want %q", in, got, want)
		}
	}
	if !SameRef("todo-backend:1", "docker.io/library/todo-backend:1") || SameRef("todo-backend:1", "localhost/todo-backend:1") || SameRef("a:1", "a:2") {
		t.Error("SameRef disagrees with how runtimes resolve names")
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"": Auto, "auto": Auto, "Docker": Docker, "podman": Podman, " buildah ": Buildah} {
		if got, err := ParseKind(in); err != nil || got != want {
			t.Errorf("ParseKind(%q) = %q, %v", in, got, err)
		}
	}
	_, err := ParseKind("kaniko")
	if err == nil || clierr.ExitCode(err) != clierr.ExitUsage || !strings.Contains(err.Error(), `"kaniko"`) {
		t.Errorf("unknown builder: got %v", err)
	}
}

func TestDetect(t *testing.T) {
	tests := map[string]struct {
		programs   []string
		dockerDown bool
		want       Kind
		wantErr    string
	}{
		"docker daemon answers":         {programs: []string{"docker", "podman", "buildah"}, want: Docker},
		"docker down, podman installed": {programs: []string{"docker", "podman", "buildah"}, dockerDown: true, want: Podman},
		"only buildah works":            {programs: []string{"docker", "buildah"}, dockerDown: true, want: Buildah},
		"nothing":                       {programs: []string{"docker"}, dockerDown: true, wantErr: "docker daemon not answering; podman not found; buildah not found"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rig := standin.Install(t, tc.programs...)
			if tc.dockerDown {
				rig.DockerDown()
			}
			b, why, err := Detect(context.Background(), command.Exec{}, Builder{GlobalArgs: []string{"--x"}})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || clierr.FixOf(err) == "" {
					t.Fatalf("got %v, want an error with %q and a fix", err, tc.wantErr)
				}
				return
			}
			if err != nil || b.Kind != tc.want || why == "" || len(b.GlobalArgs) != 1 {
				t.Fatalf("got %+v %q %v, want %s", b, why, err, tc.want)
			}
		})
	}
}
