// Package interrupt gives Ctrl-C its two meanings. The first cancels the
// context: every step stops cleanly (helm rolls the release back) and says
// what state it left. The second exits at once with 130: it kills the
// process groups helm-todo started (they would outlive it, working on the
// cluster unseen) and prints what the interrupted work leaves behind.
package interrupt

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// ExitCode is what a shell reports for a program stopped by Ctrl-C.
const ExitCode = 130

// noteTimeout bounds what the notes may read (helm status) on the way out.
const noteTimeout = 3 * time.Second

// Stop holds what a second Ctrl-C must kill and say.
type Stop struct {
	mu    sync.Mutex
	next  int
	kills map[int]func()
	notes map[int]func(context.Context) string
}

type key struct{}

// NotifyContext is signal.NotifyContext for SIGINT and SIGTERM, with a
// second signal handled by Stop.Exit (out gets the notes). stop restores
// the default handling.
func NotifyContext(parent context.Context, out io.Writer) (context.Context, func()) {
	s := &Stop{}
	ctx, cancel := context.WithCancel(context.WithValue(parent, key{}, s))
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sigs:
			fmt.Fprintln(out, "interrupted: stopping cleanly; Ctrl-C again to stop at once")
			cancel()
		case <-done:
			return
		}
		select {
		case <-sigs:
			s.Exit(out, os.Exit)
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			cancel()
		})
	}
}

// From returns the Stop of ctx; nil (whose methods do nothing) when ctx
// did not come from NotifyContext.
func From(ctx context.Context) *Stop {
	s, _ := ctx.Value(key{}).(*Stop)
	return s
}

// Kill registers how to kill a process (its group) on a second Ctrl-C;
// the returned func unregisters it once the process has ended.
func (s *Stop) Kill(kill func()) func() {
	if s == nil {
		return func() {}
	}
	return s.add(func(k int) { s.kills[k] = kill })
}

// Note registers what to print should a second Ctrl-C stop the work now
// under way: it says the state left and what to run next. It gets a
// short-lived context to read that state with.
func (s *Stop) Note(note func(ctx context.Context) string) func() {
	if s == nil {
		return func() {}
	}
	return s.add(func(k int) { s.notes[k] = note })
}

func (s *Stop) add(set func(int)) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kills == nil {
		s.kills, s.notes = map[int]func(){}, map[int]func(context.Context) string{}
	}
	s.next++
	k := s.next
	set(k)
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.kills, k)
		delete(s.notes, k)
	}
}

// Exit kills the registered processes, prints the notes, and exits
// with ExitCode.
func (s *Stop) Exit(out io.Writer, exit func(int)) {
	s.mu.Lock()
	kills := make([]func(), 0, len(s.kills))
	for _, kill := range s.kills {
		kills = append(kills, kill)
	}
	notes := make([]func(context.Context) string, 0, len(s.notes))
	for k := 1; k <= s.next; k++ {
		if n, ok := s.notes[k]; ok {
			notes = append(notes, n)
		}
	}
	s.mu.Unlock()
	for _, kill := range kills {
		kill()
	}
	fmt.Fprintln(out, "interrupted again: stopping now")
	ctx, cancel := context.WithTimeout(context.Background(), noteTimeout)
	defer cancel()
	for _, n := range notes {
		fmt.Fprintln(out, n(ctx))
	}
	exit(ExitCode)
}
