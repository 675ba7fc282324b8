package parallel

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// TestForRunsEveryIndexOnce: each step runs once, its result lands at its
// index, and each goroutine starts its state once.
func TestForRunsEveryIndexOnce(t *testing.T) {
	const n = 1000
	for _, workers := range []int{0, 1, 3, n + 5} {
		out := make([]int, n)
		var runs, starts atomic.Int64
		err := ForWorkers(n, workers, func() func(int) error {
			starts.Add(1)
			return func(i int) error {
				runs.Add(1)
				out[i] += i * i
				return nil
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range out {
			if v != i*i {
				t.Fatalf("workers %d: out[%d] = %d, want %d", workers, i, v, i*i)
			}
		}
		if runs.Load() != n {
			t.Errorf("workers %d: %d steps ran, want %d", workers, runs.Load(), n)
		}
		if s := starts.Load(); s < 1 || workers > 0 && s > int64(workers) {
			t.Errorf("workers %d: state started %d times", workers, s)
		}
	}
	if err := For(0, 0, func(int) error { t.Error("step of an empty loop"); return nil }); err != nil {
		t.Error(err)
	}
}

// TestForLowestError: whichever failure happens first, the error is the
// one a sequential loop would stop at, and no step starts after it.
func TestForLowestError(t *testing.T) {
	for range 50 {
		err := For(200, 4, func(i int) error {
			if i%7 == 3 {
				return fmt.Errorf("step %d", i)
			}
			return nil
		})
		if err == nil || err.Error() != "step 3" {
			t.Fatalf("error %v, want step 3's", err)
		}
	}
	var ran atomic.Int64
	err := For(10, 1, func(i int) error {
		ran.Add(1)
		if i == 4 {
			return fmt.Errorf("step %d", i)
		}
		return nil
	})
	if err == nil || ran.Load() != 5 {
		t.Errorf("one goroutine: error %v after %d steps, want step 4's after 5", err, ran.Load())
	}
}
