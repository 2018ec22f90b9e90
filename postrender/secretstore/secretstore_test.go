package secretstore

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/helm-todo/helm-todo/postrender/secretgen"
)

// Enough keys for several spooled runs and a partial chunk: every key is
// found by Get, read back once by Each in each order, sorted, with its own
// value; and the spool leaves no file behind.
func TestStoreRoundTrip(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, n := range []int{0, 1, 100, chunkLen, 3*chunkLen + 17} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var s Store
			defer s.Close()
			want := map[string]string{}
			// Keys out of order, with digit runs (where the two orders
			// part) and values of every length, a long one included.
			for i := 0; i < n; i++ {
				k := fmt.Sprintf("app-%d.c.KEY_%d", (i*7919)%(n+1), i%3)
				v := strings.Repeat("v", i%50) + fmt.Sprint(i)
				if i == 5 {
					v = strings.Repeat("long", 1<<18) // over chunkBytes
				}
				if _, ok, err := s.Get(k); err != nil || ok {
					t.Fatalf("Get(%s) before Put: %v %v", k, ok, err)
				}
				if err := s.Put(k, v); err != nil {
					t.Fatal(err)
				}
				want[k] = v
			}
			if s.Len() != len(want) {
				t.Fatalf("Len %d, want %d", s.Len(), len(want))
			}
			// Get reads the runs: a sample of the keys will do.
			i := 0
			for k, v := range want {
				if i++; i%97 != 1 {
					continue
				}
				got, ok, err := s.Get(k)
				if err != nil || !ok || got != v {
					t.Fatalf("Get(%s): found %v, err %v, same value %v", k, ok, err, got == v)
				}
			}
			if _, ok, _ := s.Get("absent"); ok {
				t.Error("Get of an absent key found it")
			}
			for _, o := range []secretgen.Order{secretgen.ByteOrder, secretgen.YAMLOrder, secretgen.ByteOrder} {
				var keys []string
				err := s.Each(o, func(k, v string) error {
					if want[k] != v {
						t.Errorf("Each: %s has another value", k)
					}
					keys = append(keys, k)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(keys) != len(want) || !slices.IsSortedFunc(keys, func(a, b string) int { return cmp(o, a, b) }) {
					t.Errorf("order %d: %d keys, want %d, sorted %v", o, len(keys), len(want), slices.IsSortedFunc(keys, func(a, b string) int { return cmp(o, a, b) }))
				}
			}
		})
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
}

// The in-memory fallback (no usable temporary directory) keeps the same
// contract.
func TestStoreWithoutTempDir(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()+"/missing")
	var s Store
	defer s.Close()
	for i := 0; i < 2*chunkLen+1; i++ {
		if err := s.Put(fmt.Sprintf("k%05d", i), fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	if v, ok, err := s.Get("k00007"); err != nil || !ok || v != "7" {
		t.Fatalf("Get: %q %v %v", v, ok, err)
	}
	n := 0
	if err := s.Each(secretgen.ByteOrder, func(k, v string) error {
		if k != fmt.Sprintf("k%05d", n) {
			return fmt.Errorf("key %d is %s", n, k)
		}
		n++
		return nil
	}); err != nil || n != 2*chunkLen+1 {
		t.Fatalf("Each: %v after %d keys", err, n)
	}
}

// An error from yield stops Each and is returned as it is.
func TestEachStopsOnError(t *testing.T) {
	var s Store
	defer s.Close()
	for i := 0; i < chunkLen+5; i++ {
		if err := s.Put(fmt.Sprint("k", i), "v"); err != nil {
			t.Fatal(err)
		}
	}
	stop := fmt.Errorf("stop")
	calls := 0
	if err := s.Each(secretgen.YAMLOrder, func(string, string) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("Each returned %v after %d calls, want stop after 1", err, calls)
	}
}
