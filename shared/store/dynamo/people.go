package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// FindUsers returns the tenant's users whose email, external ID or username
// is among keys. It reads only the lookup items, which carry a copy of their user.
//
// A BatchGetItem is not isolated: around a change of keys it may read one
// user's copy from before the change and a lookup item from after it (an
// email moved from one user to another between the two reads). Such a read
// is done again, so every user returned holds each of its requested keys
// by the lookup item read for that key.
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

// findUsers reads the lookup items of batch and reports whether they agree
// with the newest copy of each user they name.
func (s *Store) findUsers(ctx context.Context, tenant string, batch []map[string]types.AttributeValue) ([]roster.User, bool, error) {
	owner := make(map[string]string, len(batch)) // lookup pk → user ID; "" when absent
	for _, k := range batch {
		owner[str(k[attrPK])] = ""
	}
	byID := map[string]roster.User{}
	var order []string
	err := s.batchGet(ctx, batch, func(item map[string]types.AttributeValue) error {
		var u roster.User
		v, err := decode(item, &u)
		if err != nil {
			return err
		}
		u.Version = v
		owner[str(item[attrPK])] = str(item[attrUserID])
		// Of a user whose two lookups were read around one of its
		// writes, keep the newest copy.
		old, seen := byID[u.ID]
		if !seen {
			order = append(order, u.ID)
		}
		if !seen || u.Version > old.Version {
			byID[u.ID] = u
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	out := make([]roster.User, 0, len(order))
	for _, id := range order {
		u := byID[id]
		for _, pk := range []string{emailPK(tenant, u.Email), extPK(tenant, u.ExternalID), usernamePK(tenant, u.Username)} {
			if uid, asked := owner[pk]; asked && uid != u.ID {
				return nil, false, nil
			}
		}
		out = append(out, u)
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
		var u roster.User
		v, err := decode(item, &u)
		u.Version = v
		out = append(out, u)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get users of tenant %s: %w", tenant, err)
	}
	return out, nil
}

// GetParticipants returns the program's participants among userIDs.
func (s *Store) GetParticipants(ctx context.Context, tenant, programID string, userIDs []string) ([]roster.Participant, error) {
	batch := make([]map[string]types.AttributeValue, 0, len(userIDs))
	for _, id := range userIDs {
		batch = append(batch, key(userPK(tenant, id), participantSK(programID)))
	}
	out := make([]roster.Participant, 0, len(userIDs))
	err := s.batchGet(ctx, batch, func(item map[string]types.AttributeValue) error {
		p, err := decodeParticipant(item)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get participants of program %s: %w", programID, err)
	}
	return out, nil
}

// UserParticipations returns every participation of one user (A14).
func (s *Store) UserParticipations(ctx context.Context, tenant, userID string) ([]roster.Participant, error) {
	out := []roster.Participant{}
	err := s.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression: new(attrPK + " = :pk AND begins_with(" + attrSK + ", :p)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": sv(userPK(tenant, userID)),
			":p":  sv(prefixP),
		},
		ConsistentRead: new(true),
	}, func(item map[string]types.AttributeValue) error {
		p, err := decodeParticipant(item)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list participations of user %s: %w", userID, err)
	}
	return out, nil
}

// ListParticipants calls fn for each participant of the program in user ID
// order, merging the program's index shards.
func (s *Store) ListParticipants(ctx context.Context, tenant, programID string, fn func(roster.Participant) error) error {
	shards := make([]*shardCursor, participantShards)
	for i := range shards {
		shards[i] = &shardCursor{s: s, pk: shardPK(tenant, programID, i)}
	}
	for {
		var next *shardCursor
		for _, c := range shards {
			if err := c.fill(ctx); err != nil {
				return fmt.Errorf("list participants of program %s: %w", programID, err)
			}
			if len(c.items) > 0 && (next == nil || str(c.items[0][attrGSI1SK]) < str(next.items[0][attrGSI1SK])) {
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

// shardCursor reads one index shard page by page.
type shardCursor struct {
	s     *Store
	pk    string
	items []map[string]types.AttributeValue
	start map[string]types.AttributeValue
	done  bool
}

// fill fetches the next page when the current one is used up.
func (c *shardCursor) fill(ctx context.Context) error {
	for len(c.items) == 0 && !c.done {
		var out *dynamodb.QueryOutput
		err := c.s.call(ctx, func() (err error) {
			out, err = c.s.api.Query(ctx, &dynamodb.QueryInput{
				TableName:                 &c.s.table,
				IndexName:                 new(indexByProgram),
				KeyConditionExpression:    new(attrGSI1PK + " = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": sv(c.pk)},
				ExclusiveStartKey:         c.start,
			})
			return err
		})
		if err != nil {
			return err
		}
		c.items, c.start = out.Items, out.LastEvaluatedKey
		c.done = len(c.start) == 0
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

// Save writes a user and/or a participant atomically, each only over its
// stored version. A single item is a conditional PutItem; a user (with its
// lookup items) or a user and a participant together are one
// TransactWriteItems.
func (s *Store) Save(ctx context.Context, w importer.Write) error {
	var writes []types.TransactWriteItem
	what := "participant"
	if w.User != nil {
		what = "user " + w.User.ID
		uw, err := s.userWrites(ctx, *w.User)
		if err != nil {
			return fmt.Errorf("save %s: %w", what, err)
		}
		writes = append(writes, uw...)
	}
	if w.Participant != nil {
		if w.User == nil {
			what = "participant " + w.Participant.UserID + " of program " + w.Participant.ProgramID
		}
		pw, err := participantWrite(*w.Participant)
		if err != nil {
			return fmt.Errorf("save %s: %w", what, err)
		}
		writes = append(writes, pw)
	}
	var err error
	switch len(writes) {
	case 0:
		return nil
	case 1:
		p := writes[0].Put
		err = s.putItem(ctx, &dynamodb.PutItemInput{Item: p.Item, ConditionExpression: p.ConditionExpression, ExpressionAttributeValues: p.ExpressionAttributeValues})
	default:
		for i := range writes {
			setTable(&writes[i], &s.table)
		}
		err = s.call(ctx, func() error {
			_, err := s.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
			return err
		})
	}
	if conflict(err) {
		return fmt.Errorf("save %s: %w", what, roster.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save %s: %w", what, err)
	}
	return nil
}

// userWrites are the writes of saving u: the user item over its version,
// its lookup items (claimed unless they are already its own), and the
// release of the lookups it no longer has.
func (s *Store) userWrites(ctx context.Context, u roster.User) ([]types.TransactWriteItem, error) {
	var old roster.User
	if u.Version > 0 {
		item, err := s.getItem(ctx, userPK(u.Tenant, u.ID), skUser)
		if err != nil {
			return nil, err
		}
		if item == nil || num(item[attrVersion]) != u.Version {
			return nil, roster.ErrConflict
		}
		if _, err := decode(item, &old); err != nil {
			return nil, err
		}
	}
	next := u
	next.Version++
	doc, err := encode(next)
	if err != nil {
		return nil, err
	}
	cond, vals := versionCondition(u.Version)
	item := key(userPK(u.Tenant, u.ID), skUser)
	item[attrDoc], item[attrVersion] = doc, nv(next.Version)
	writes := []types.TransactWriteItem{{Put: &types.Put{Item: item, ConditionExpression: &cond, ExpressionAttributeValues: vals}}}

	mine := map[string]types.AttributeValue{":uid": sv(u.ID)}
	claim := func(pk string) {
		it := key(pk, skLookup)
		it[attrUserID], it[attrDoc], it[attrVersion] = sv(u.ID), doc, nv(next.Version)
		writes = append(writes, types.TransactWriteItem{Put: &types.Put{Item: it,
			ConditionExpression:       new("attribute_not_exists(" + attrPK + ") OR " + attrUserID + " = :uid"),
			ExpressionAttributeValues: mine}})
	}
	release := func(pk string) {
		writes = append(writes, types.TransactWriteItem{Delete: &types.Delete{Key: key(pk, skLookup),
			ConditionExpression:       new("attribute_not_exists(" + attrPK + ") OR " + attrUserID + " = :uid"),
			ExpressionAttributeValues: mine}})
	}
	if u.Email == "" && u.Username == "" {
		return nil, errors.New("user has neither email nor username")
	}
	// Each unique key (DESIGN §4, V9) is claimed when set and released when
	// it changes, in the user's transaction.
	for _, k := range []struct{ pk, oldPK, value, oldValue string }{
		{emailPK(u.Tenant, u.Email), emailPK(u.Tenant, old.Email), u.Email, old.Email},
		{extPK(u.Tenant, u.ExternalID), extPK(u.Tenant, old.ExternalID), u.ExternalID, old.ExternalID},
		{usernamePK(u.Tenant, u.Username), usernamePK(u.Tenant, old.Username), u.Username, old.Username},
	} {
		if k.value != "" {
			claim(k.pk)
		}
		if k.oldValue != "" && k.oldValue != k.value {
			release(k.oldPK)
		}
	}
	return writes, nil
}

func participantWrite(p roster.Participant) (types.TransactWriteItem, error) {
	next := p
	next.Version++
	doc, err := encode(next)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	cond, vals := versionCondition(p.Version)
	item := key(userPK(p.Tenant, p.UserID), participantSK(p.ProgramID))
	item[attrDoc], item[attrVersion] = doc, nv(next.Version)
	item[attrGSI1PK] = sv(programShardPK(p.Tenant, p.ProgramID, p.UserID))
	item[attrGSI1SK] = sv(p.UserID)
	return types.TransactWriteItem{Put: &types.Put{Item: item, ConditionExpression: &cond, ExpressionAttributeValues: vals}}, nil
}

func setTable(w *types.TransactWriteItem, table *string) {
	switch {
	case w.Put != nil:
		w.Put.TableName = table
	case w.Delete != nil:
		w.Delete.TableName = table
	}
}
