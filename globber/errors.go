package globber

import "fmt"

// SyntaxError reports a pattern that cannot be compiled. Offset is the byte
// offset in Pattern of the construct at fault, so tools can point at it.
type SyntaxError struct {
	Pattern string
	Offset  int
	Msg     string
}

func (e *SyntaxError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("glob %q: %s", e.Pattern, e.Msg)
	}
	return fmt.Sprintf("glob %q: %s at offset %d", e.Pattern, e.Msg, e.Offset)
}

// syntaxErr builds a SyntaxError; off < 0 means the error has no position.
func syntaxErr(pattern string, off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pattern: pattern, Offset: off, Msg: fmt.Sprintf(format, args...)}
}
