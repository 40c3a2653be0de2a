package dynamo

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// FindUsers returns the tenant's users whose email, external ID or username
// is among keys: one BatchGetItem per 100 keys reads the lookup items, which
// carry only their user's ID, and one per 100 users reads the users.
//
// Neither read is isolated, and a user's lookups are written before and
// released after the user item (see Save). So a read may meet a lookup whose
// user is not written yet, or no longer holds that key, or a user whose new
// key's lookup was read before it was claimed. A fresh claim of that kind
// is a write under way and the read is done again; an abandoned one (older
// than the claim lease) leaves its key free. Every user returned holds each
// of its requested keys by the lookup item read for that key.
func (s *Store) FindUsers(ctx context.Context, tenant string, keys importer.UserKeys) ([]roster.User, error) {
	batch := make([]map[string]types.AttributeValue, 0, len(keys.Emails)+len(keys.ExternalIDs)+len(keys.Usernames))
	for _, e := range keys.Emails {
		if e != "" {
			batch = append(batch, key(emailPK(tenant, e), skLookup))
		}
	}
	for _, x := range keys.ExternalIDs {
		if x != "" {
			batch = append(batch, key(extPK(tenant, x), skLookup))
		}
	}
	for _, n := range keys.Usernames {
		if n != "" {
			batch = append(batch, key(usernamePK(tenant, n), skLookup))
		}
	}
	for attempt := 0; ; attempt++ {
		users, ok, err := s.findUsers(ctx, tenant, batch)
		if err != nil {
			return nil, fmt.Errorf("find users of tenant %s: %w", tenant, err)
		}
		if ok {
			return users, nil
		}
		if attempt >= s.retries {
			// Keys keep changing under the read: a lost race, as for a write.
			return nil, fmt.Errorf("find users of tenant %s: lookups changed during %d reads: %w", tenant, attempt+1, roster.ErrConflict)
		}
		if err := s.pause(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// findUsers reads the lookup items of batch, then their users, and reports
// whether the two reads agree.
func (s *Store) findUsers(ctx context.Context, tenant string, batch []map[string]types.AttributeValue) ([]roster.User, bool, error) {
	owners := make(map[string]map[string]types.AttributeValue, len(batch)) // lookup pk → lookup item
	var ids []string
	seen := map[string]bool{}
	err := s.batchGet(ctx, batch, func(item map[string]types.AttributeValue) error {
		owners[str(item[attrPK])] = item
		if id := str(item[attrUserID]); !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		return nil, err == nil, err
	}
	users, err := s.GetUsers(ctx, tenant, ids)
	if err != nil {
		return nil, false, err
	}
	byID := make(map[string]roster.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	now := s.now()
	out := make([]roster.User, 0, len(users))
	taken := map[string]bool{}
	for _, k := range batch {
		pk := str(k[attrPK])
		item, found := owners[pk]
		if !found {
			continue
		}
		u, ok := byID[str(item[attrUserID])]
		if !ok || !holds(u, pk) {
			if s.fresh(item, now) {
				return nil, false, nil // a write under way: read again
			}
			continue // abandoned: the key is free
		}
		if !taken[u.ID] {
			taken[u.ID] = true
			out = append(out, u)
		}
	}
	asked := make(map[string]bool, len(batch))
	for _, k := range batch {
		asked[str(k[attrPK])] = true
	}
	for _, u := range out {
		for _, pk := range lookupPKs(u) {
			// A requested key the user holds whose lookup was read before it
			// was claimed, or names someone else: the reads straddled a change.
			if asked[pk] && str(owners[pk][attrUserID]) != u.ID {
				return nil, false, nil
			}
		}
	}
	return out, true, nil
}

// GetUsers returns users by Roster ID; missing IDs are left out.
func (s *Store) GetUsers(ctx context.Context, tenant string, ids []string) ([]roster.User, error) {
	batch := make([]map[string]types.AttributeValue, 0, len(ids))
	for _, id := range ids {
		batch = append(batch, key(userPK(tenant, id), skUser))
	}
	out := make([]roster.User, 0, len(ids))
	err := s.batchGet(ctx, batch, func(item map[string]types.AttributeValue) error {
		if !isUser(item) {
			return nil // the programs of a user not written yet
		}
		var u roster.User
		v, err := decode(item, &u)
		if err != nil {
			return err
		}
		u.Version = v
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get users of tenant %s: %w", tenant, err)
	}
	return out, nil
}

// isUser reports whether a user item holds its user: an item that has
// only a program set (join, before its user) does not.
func isUser(item map[string]types.AttributeValue) bool {
	_, ok := item[attrVersion]
	return ok
}

// GetParticipants returns the program's participants among userIDs.
func (s *Store) GetParticipants(ctx context.Context, tenant, programID string, userIDs []string) ([]roster.Participant, error) {
	shards, err := s.layout(ctx)
	if err != nil {
		return nil, fmt.Errorf("get participants of program %s: %w", programID, err)
	}
	batch := make([]map[string]types.AttributeValue, 0, len(userIDs))
	for _, id := range userIDs {
		batch = append(batch, participantKey(tenant, programID, id, shards))
	}
	out, err := s.participants(ctx, batch)
	if err != nil {
		return nil, fmt.Errorf("get participants of program %s: %w", programID, err)
	}
	return out, nil
}

func (s *Store) participants(ctx context.Context, keys []map[string]types.AttributeValue) ([]roster.Participant, error) {
	out := make([]roster.Participant, 0, len(keys))
	err := s.batchGet(ctx, keys, func(item map[string]types.AttributeValue) error {
		p, err := decodeParticipant(item)
		out = append(out, p)
		return err
	})
	return out, err
}

// UserParticipations returns every participation of one user (A14): the
// programs its user item names, read with one consistent BatchGetItem per
// 100. A program named whose participant is missing (its write refused or
// not done yet) is left out.
func (s *Store) UserParticipations(ctx context.Context, tenant, userID string) ([]roster.Participant, error) {
	shards, err := s.layout(ctx)
	if err != nil {
		return nil, fmt.Errorf("list participations of user %s: %w", userID, err)
	}
	item, err := s.getItem(ctx, userPK(tenant, userID), skUser)
	if err != nil {
		return nil, fmt.Errorf("list participations of user %s: %w", userID, err)
	}
	progs, _ := item[attrProgs].(*types.AttributeValueMemberSS)
	if progs == nil {
		return []roster.Participant{}, nil
	}
	batch := make([]map[string]types.AttributeValue, 0, len(progs.Value))
	for _, prog := range progs.Value {
		batch = append(batch, participantKey(tenant, prog, userID, shards))
	}
	out, err := s.participants(ctx, batch)
	if err != nil {
		return nil, fmt.Errorf("list participations of user %s: %w", userID, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ProgramID < out[j].ProgramID })
	return out, nil
}

// ListParticipants calls fn for each participant of the program in user ID
// order after user ID after, merging the program's shard partitions; each
// shard starts at after and reads small pages first, so a page of the
// listing reads little more than itself.
func (s *Store) ListParticipants(ctx context.Context, tenant, programID, after string, fn func(roster.Participant) error) error {
	n, err := s.layout(ctx)
	if err != nil {
		return fmt.Errorf("list participants of program %s: %w", programID, err)
	}
	shards := make([]*shardCursor, n)
	for i := range shards {
		shards[i] = &shardCursor{s: s, pk: shardPK(tenant, programID, i), after: after, limit: firstShardPage}
	}
	for {
		var next *shardCursor
		for _, c := range shards {
			if err := c.fill(ctx); err != nil {
				return fmt.Errorf("list participants of program %s: %w", programID, err)
			}
			if len(c.items) > 0 && (next == nil || str(c.items[0][attrSK]) < str(next.items[0][attrSK])) {
				next = c
			}
		}
		if next == nil {
			return nil
		}
		p, err := decodeParticipant(next.items[0])
		if err != nil {
			return fmt.Errorf("list participants of program %s: %w", programID, err)
		}
		next.items = next.items[1:]
		if err := fn(p); err != nil {
			return err
		}
	}
}

// A shard's first page is small (a listing page of 100 over 32 shards
// takes a few from each) and each next one twice the last, up to the most
// DynamoDB returns anyway, so a whole listing takes few requests.
const (
	firstShardPage = 16
	lastShardPage  = 1024
)

// shardCursor reads one index shard page by page.
type shardCursor struct {
	s     *Store
	pk    string
	after string // user ID to start after; "" from the first
	limit int32  // of the next page
	items []map[string]types.AttributeValue
	start map[string]types.AttributeValue
	done  bool
}

// fill fetches the next page when the current one is used up.
func (c *shardCursor) fill(ctx context.Context) error {
	for len(c.items) == 0 && !c.done {
		var out *dynamodb.QueryOutput
		cond, values := attrPK+" = :pk", map[string]types.AttributeValue{":pk": sv(c.pk)}
		if c.after != "" {
			cond += " AND " + attrSK + " > :after"
			values[":after"] = sv(c.after)
		}
		limit := c.limit
		err := c.s.call(ctx, func() (err error) {
			out, err = c.s.api.Query(ctx, &dynamodb.QueryInput{
				TableName:                 &c.s.table,
				KeyConditionExpression:    &cond,
				ExpressionAttributeValues: values,
				ExclusiveStartKey:         c.start,
				Limit:                     &limit,
			})
			return err
		})
		if err != nil {
			return err
		}
		c.items, c.start = out.Items, out.LastEvaluatedKey
		c.done = len(c.start) == 0
		c.limit = min(2*c.limit, lastShardPage)
	}
	return nil
}

func decodeParticipant(item map[string]types.AttributeValue) (roster.Participant, error) {
	var p roster.Participant
	v, err := decode(item, &p)
	p.Version = v
	if p.Profile == nil {
		p.Profile = roster.Profile{}
	}
	return p, err
}
