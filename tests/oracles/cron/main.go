// The original host's cron library as an oracle for Pier's parser: reads
// lines "<spec>\t<after Unix ms>" and answers each with the next fire time
// in Unix ms, "none", or "error: <message>". The local zone is the
// process's (run it with TZ=UTC).
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

func answer(spec string, after time.Time) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = fmt.Sprintf("panic: %v", r)
		}
	}()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return "error: " + err.Error()
	}
	next := s.Next(after)
	if next.IsZero() {
		return "none"
	}
	return strconv.FormatInt(next.UnixMilli(), 10)
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		spec, at, _ := strings.Cut(in.Text(), "\t")
		ms, _ := strconv.ParseInt(at, 10, 64)
		fmt.Fprintln(out, answer(spec, time.UnixMilli(ms)))
	}
}
