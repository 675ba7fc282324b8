// Package parallel runs the steps of a loop from a few goroutines, for
// work that waits on decompression or I/O: listing archives, reading
// control data, copying file data.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls do(i) for every i from 0 to n-1, from workers goroutines
// (GOMAXPROCS when workers is 0), each taking the next index when it is
// done with one, so that one slow step does not hold up the others. do
// stores its result by index, which keeps the order. See ForWorkers for
// what happens on an error.
func For(n, workers int, do func(i int) error) error {
	return ForWorkers(n, workers, func() func(int) error { return do })
}

// ForWorkers is For with state per goroutine (a buffer, a decoder): each
// goroutine calls start once, then what start returned for each index.
// After an error no index starts; the steps under way finish, and the
// error returned is that of the lowest index that failed. Indexes are
// taken in order, so every lower one has run: it is the error a
// sequential loop would stop at.
func ForWorkers(n, workers int, start func() func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		next   atomic.Int64
		failed atomic.Bool
		mu     sync.Mutex
		first  = n // the lowest index that failed
		err    error
		wg     sync.WaitGroup
	)
	for range min(workers, n) {
		wg.Go(func() {
			do := start()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if e := do(i); e != nil {
					mu.Lock()
					if i < first {
						first, err = i, e
					}
					mu.Unlock()
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return err
}
