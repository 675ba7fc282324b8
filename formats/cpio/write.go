// Package cpio writes a Plan as a newc ("070701") cpio archive, the
// format the Linux kernel unpacks as an initramfs, optionally compressed.
package cpio

import (
	"bufio"
	"fmt"
	"io"

	"github.com/supermin-compile/supermin-compile/plan"
)

// Write writes the archive of p to w. The output depends only on p and
// c, so the same plan always gives the same bytes. Extended attributes
// are not stored: newc has no place for them.
func Write(w io.Writer, p *plan.Plan, c Compression) error {
	return WriteProgress(w, p, c, nil)
}

// WriteProgress is Write that reports each regular file to progress.
func WriteProgress(w io.Writer, p *plan.Plan, c Compression, progress plan.Progress) error {
	ms, err := layout(p)
	if err != nil {
		return err
	}
	cw, err := c.compressor(w)
	if err != nil {
		return fmt.Errorf("cpio: starting %s compression: %w", c, err)
	}
	bw := bufio.NewWriterSize(cw, 256<<10)
	for i := range ms {
		if err := writeMember(bw, &ms[i]); err != nil {
			return fmt.Errorf("cpio: writing %s: %w", p.Entries[i].Path, err)
		}
		if e := &p.Entries[i]; e.Type == plan.Regular && e.Size > 0 {
			progress.Report(e.Size)
		}
	}
	end := header{nlink: 1, name: trailer}
	if _, err := bw.Write(end.encode()); err != nil {
		return fmt.Errorf("cpio: writing trailer: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("cpio: writing archive: %w", err)
	}
	if err := cw.Close(); err != nil {
		return fmt.Errorf("cpio: finishing %s compression: %w", c, err)
	}
	return nil
}

func writeMember(w io.Writer, m *member) error {
	if _, err := w.Write(m.hdr.encode()); err != nil {
		return err
	}
	switch {
	case m.target != "":
		if _, err := io.WriteString(w, m.target); err != nil {
			return err
		}
	case m.data != nil:
		if err := plan.CopyData(w, m.data); err != nil {
			return err
		}
	}
	return writePad(w, int64(m.hdr.filesize))
}
