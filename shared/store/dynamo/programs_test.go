package dynamo

import (
	"context"
	"errors"
	"testing"

	"github.com/rosterhq/roster/shared/importer"
)

// TestUserProgramsSurviveUserWrites: the user item's program set, written
// by a participant saved before its user, is kept by the user's creation
// and by its later changes, so UserParticipations (A14) finds every
// program; the item is no user until the user is written.
func TestUserProgramsSurviveUserWrites(t *testing.T) {
	ctx := context.Background()
	c, table := localTable(t)
	s := New(c, table)
	early := newPart("u1")
	if err := s.Save(ctx, importer.Write{Participant: &early}); err != nil {
		t.Fatal(err)
	}
	if us, err := s.GetUsers(ctx, "t1", []string{"u1"}); err != nil || len(us) != 0 {
		t.Errorf("GetUsers before the user is written = %+v, %v; want nobody", us, err)
	}
	u := newUser("u1", "ana@example.org", "E1")
	p2 := newPart("u1")
	p2.ProgramID = "p2"
	if err := s.Save(ctx, importer.Write{User: &u, Participant: &p2}); err != nil {
		t.Fatalf("Save(new user over its program set) = %v", err)
	}
	u.Version, u.Email = 1, "ana.new@example.org"
	if err := s.Save(ctx, importer.Write{User: &u}); err != nil {
		t.Fatalf("Save(changed user) = %v", err)
	}
	ps, err := s.UserParticipations(ctx, "t1", "u1")
	if err != nil || len(ps) != 2 || ps[0].ProgramID != "p1" || ps[1].ProgramID != "p2" {
		t.Errorf("UserParticipations after the user's writes = %+v, %v; want p1 and p2", ps, err)
	}
	if us, err := s.GetUsers(ctx, "t1", []string{"u1"}); err != nil || len(us) != 1 || us[0].Version != 2 || us[0].Email != "ana.new@example.org" {
		t.Errorf("GetUsers = %+v, %v; want u1 at version 2", us, err)
	}
}

// TestDeadWriterAfterTheProgramSet: a writer that died after adding a
// program to an existing user's set, before its participant, leaves a
// program named without a participant: UserParticipations leaves it out
// until the next run writes the participant (A11).
func TestDeadWriterAfterTheProgramSet(t *testing.T) {
	ctx := context.Background()
	c, table := localTable(t)
	s := New(c, table)
	u, p1 := newUser("u1", "ana@example.org", ""), newPart("u1")
	if err := s.Save(ctx, importer.Write{User: &u, Participant: &p1}); err != nil {
		t.Fatal(err)
	}
	p2 := newPart("u1")
	p2.ProgramID = "p2"
	if err := New(&dying{API: c, after: 1}, table).Save(ctx, importer.Write{Participant: &p2}); !errors.Is(err, errDied) {
		t.Fatalf("Save by a writer that dies after the program set = %v, want it to die", err)
	}
	if ps, err := s.UserParticipations(ctx, "t1", "u1"); err != nil || len(ps) != 1 || ps[0].ProgramID != "p1" {
		t.Errorf("UserParticipations after the death = %+v, %v; want p1 only", ps, err)
	}
	if err := s.Save(ctx, importer.Write{Participant: &p2}); err != nil {
		t.Fatalf("the next run's Save(participant) = %v", err)
	}
	if ps, err := s.UserParticipations(ctx, "t1", "u1"); err != nil || len(ps) != 2 {
		t.Errorf("UserParticipations after the next run = %+v, %v; want p1 and p2", ps, err)
	}
}
