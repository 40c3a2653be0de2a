package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rosterhq/roster/shared/roster"
)

// maxSearch is the longest search accepted, in characters.
const maxSearch = 200

// searchScan is how many participants a search reads from the store at a
// time before it looks their users up.
const searchScan = 200

// searchPage is participantPage with a search (q.Q): it reads the program's
// participants after the cursor a slice at a time, looks up their users and
// keeps those that match, until the page is full or the program ends. The
// cursor is the last participant read, so the next page goes on from there.
func (s *Service) searchPage(ctx context.Context, tenant, programID, after string, q ParticipantQuery) (ParticipantPage, error) {
	needle := strings.ToLower(strings.TrimSpace(q.Q))
	if n := utf8.RuneCountInString(needle); n > maxSearch {
		return ParticipantPage{}, roster.Errorf(roster.ErrInvalid, "q has %d characters; the limit is %d", n, maxSearch)
	}
	page := ParticipantPage{Participants: []ParticipantView{}}
	for {
		var scan []roster.Participant
		err := s.cfg.Store.ListParticipants(ctx, tenant, programID, after, func(p roster.Participant) error {
			if len(scan) == searchScan {
				return errPageFull
			}
			scan = append(scan, p)
			return nil
		})
		storeMore := errors.Is(err, errPageFull)
		if err != nil && !storeMore {
			return ParticipantPage{}, fmt.Errorf("search participants of %s: %w", programID, err)
		}
		if len(scan) == 0 {
			return page, nil
		}
		ids := make([]string, len(scan))
		for i, p := range scan {
			ids[i] = p.UserID
		}
		users := map[string]roster.User{}
		for lo := 0; lo < len(ids); lo += 100 {
			us, err := s.cfg.Store.GetUsers(ctx, tenant, ids[lo:min(lo+100, len(ids))])
			if err != nil {
				return ParticipantPage{}, fmt.Errorf("get users: %w", err)
			}
			for _, u := range us {
				users[u.ID] = u
			}
		}
		var hits []roster.Participant
		for _, p := range scan {
			if q.Role != "" && p.Role != q.Role {
				continue
			}
			if !userMatches(users[p.UserID], needle) {
				continue
			}
			if len(page.Participants)+len(hits) == q.Limit {
				// Full: go on from the last one kept.
				views, err := s.views(ctx, tenant, hits, users)
				if err != nil {
					return ParticipantPage{}, err
				}
				page.Participants = append(page.Participants, views...)
				page.Next = encodeCursor(hits[len(hits)-1].UserID)
				return page, nil
			}
			hits = append(hits, p)
		}
		views, err := s.views(ctx, tenant, hits, users)
		if err != nil {
			return ParticipantPage{}, err
		}
		page.Participants = append(page.Participants, views...)
		after = scan[len(scan)-1].UserID
		if !storeMore {
			return page, nil
		}
		if len(page.Participants) == q.Limit {
			page.Next = encodeCursor(after)
			return page, nil
		}
	}
}

// userMatches says whether a user's email, username or User ID contains
// needle (already lower case).
func userMatches(u roster.User, needle string) bool {
	for _, v := range []string{u.Email, u.Username, u.ExternalID} {
		if strings.Contains(strings.ToLower(v), needle) {
			return true
		}
	}
	return false
}
