package importer

import (
	"context"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// openReadable opens the import's file and reads every planned sheet to its
// end without validating a row: it returns the first error that would stop
// prepare's reading (a limit passed, a corrupt file: F8). PrepareEach calls
// it before it hands over a batch, so that a file that cannot be read
// still fails with nothing written to participants. Reading is the small
// part of prepare; the rows' checks are the rest. The returned context
// carries the open book, so that prepare's pass (openBook) does not fetch
// the file again.
func (s *Service) openReadable(ctx context.Context, im roster.Import) (context.Context, func(), error) {
	book, cleanup, err := s.openFile(ctx, im)
	if err != nil {
		return ctx, nil, err
	}
	for _, plan := range im.Sheets {
		if err := readThrough(ctx, book, plan.Name); err != nil {
			cleanup()
			return ctx, nil, err
		}
	}
	return context.WithValue(ctx, openBookKey{}, book), cleanup, nil
}

func readThrough(ctx context.Context, book sheet.Book, name string) error {
	rows, err := book.Rows(name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return rows.Err()
}

type openBookKey struct{}

// openBook is openFile, or the book openReadable opened for ctx (its
// owner closes it).
func (s *Service) openBook(ctx context.Context, im roster.Import) (sheet.Book, func(), error) {
	if book, ok := ctx.Value(openBookKey{}).(sheet.Book); ok {
		return book, func() {}, nil
	}
	return s.openFile(ctx, im)
}
