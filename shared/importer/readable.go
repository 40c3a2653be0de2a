package importer

import (
	"context"

	"github.com/rosterhq/roster/shared/roster"
	"github.com/rosterhq/roster/shared/sheet"
)

// openShared opens the import's file once for prepare's pass (openBook
// finds it in the returned context) and for readable, which may read it
// meanwhile: a book's sheets may be read at once.
func (s *Service) openShared(ctx context.Context, im roster.Import) (context.Context, sheet.Book, func(), error) {
	book, cleanup, err := s.openFile(ctx, im)
	if err != nil {
		return ctx, nil, nil, err
	}
	return context.WithValue(ctx, openBookKey{}, book), book, cleanup, nil
}

// readable reads every planned sheet of book to its end without
// validating a row, and returns the first error that would stop prepare's
// reading (a limit passed, a corrupt file: F8). PrepareEach calls it
// before it hands over its first batch, so that a file that cannot be
// read still fails with nothing written to participants; a run that hands
// over none (every row unchanged) reads the file once. Reading is the
// small part of prepare; the rows' checks are the rest.
func readable(ctx context.Context, book sheet.Book, im roster.Import) error {
	for _, plan := range im.Sheets {
		if err := readThrough(ctx, book, plan.Name); err != nil {
			return err
		}
	}
	return nil
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

// openBook is openFile, or the book openShared opened for ctx (its
// owner closes it).
func (s *Service) openBook(ctx context.Context, im roster.Import) (sheet.Book, func(), error) {
	if book, ok := ctx.Value(openBookKey{}).(sheet.Book); ok {
		return book, func() {}, nil
	}
	return s.openFile(ctx, im)
}
