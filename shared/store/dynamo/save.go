package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/roster"
)

// claimLease is how long a lookup claim whose user is not written (or no
// longer holds the key) stands for a write under way. Older, it is
// abandoned, a writer that died between its writes, and the next claim of
// the key adopts it.
const claimLease = time.Minute

// Save writes a user and/or a participant, each only over its stored
// version, and returns roster.ErrConflict with nothing written when a check
// fails.
//
// A new user (the bulk of a first import) is written without a
// transaction, at one write unit an item instead of two: its lookup items
// are claimed one by one with conditional puts, then the user and its
// participant are put. A refused claim or user undoes what this call
// wrote. A participant refused after its user was written (another writer
// found the new user and linked one first) leaves the user, a whole user
// as if saved alone: the importer decides the row again and meets both.
// A writer that dies part-way leaves claims whose user was never written:
// readers wait for them while they are fresh (a write under way) and the
// next claim adopts them once the lease is over, so no key stays locked.
//
// A change of an existing user is rarer: the user alone is a conditional
// UpdateItem; a user whose keys change, or a user and a participant
// together, are one TransactWriteItems.
func (s *Store) Save(ctx context.Context, w importer.Write) error {
	var err error
	what := "participant"
	shards := 0
	if w.Participant != nil {
		if shards, err = s.layout(ctx); err != nil {
			return fmt.Errorf("save participant %s of program %s: %w", w.Participant.UserID, w.Participant.ProgramID, err)
		}
	}
	switch {
	case w.User == nil && w.Participant == nil:
		return nil
	case w.User == nil:
		what = "participant " + w.Participant.UserID + " of program " + w.Participant.ProgramID
		err = s.join(ctx, *w.Participant, shards)
	case w.User.Email == "" && w.User.Username == "":
		return fmt.Errorf("save user %s: user has neither email nor username", w.User.ID)
	case w.User.Version == 0:
		what = "user " + w.User.ID
		err = s.create(ctx, *w.User, w.Participant, shards)
	default:
		what = "user " + w.User.ID
		err = s.update(ctx, *w.User, w.Participant, shards)
	}
	if conflict(err) || errors.Is(err, roster.ErrConflict) {
		return fmt.Errorf("save %s: %w", what, roster.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("save %s: %w", what, err)
	}
	return nil
}

// join writes a participant of an existing user (or of none yet). A new
// one's program is added to its user's set first, so that a participant is
// never missing from UserParticipations: two write units, as the
// participant and its index write were before. A program added whose
// participant is then refused names a participant that exists (the one
// that won) or none, which the read leaves out.
func (s *Store) join(ctx context.Context, p roster.Participant, shards int) error {
	pp, err := participantPut(p, shards)
	if err != nil {
		return err
	}
	if p.Version == 0 {
		err := s.call(ctx, func() error {
			_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key(userPK(p.Tenant, p.UserID), skUser),
				UpdateExpression:          new("ADD " + attrProgs + " :prog"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":prog": &types.AttributeValueMemberSS{Value: []string{p.ProgramID}}}})
			return err
		})
		if err != nil {
			return err
		}
	}
	return s.put(ctx, pp)
}

// create writes a new user, its lookups and its participant (if any): the
// claims first, so that no user holds a key it does not own, the
// participant last, so that no participant lacks its user. The user item
// carries the participant's program from the start (UserParticipations).
func (s *Store) create(ctx context.Context, u roster.User, p *roster.Participant, shards int) error {
	up, err := userUpdate(u, p)
	if err != nil {
		return err
	}
	var pp types.Put
	if p != nil {
		if pp, err = participantPut(*p, shards); err != nil {
			return err
		}
		// A new user's participant is new; one over a version must be
		// checked before anything is written.
		if p.Version != 0 {
			k := pp.Item
			cur, err := s.getItem(ctx, str(k[attrPK]), str(k[attrSK]))
			if err != nil {
				return err
			}
			if cur == nil || num(cur[attrVersion]) != p.Version {
				return roster.ErrConflict
			}
		}
	}
	at := s.now()
	var mine []string // lookups this call claimed
	undo := func() {
		ctx := context.WithoutCancel(ctx)
		for _, pk := range mine {
			s.unclaim(ctx, pk, u.ID, at)
		}
	}
	// One at a time, always in the same order: two creations racing on the
	// same keys meet on the first, and one of them goes on.
	for _, pk := range lookupPKs(u) {
		newly, err := s.claim(ctx, u.Tenant, pk, u.ID, at)
		if newly {
			mine = append(mine, pk)
		}
		if err != nil {
			undo() // a claim whose answer was lost is adopted after the lease
			return err
		}
	}
	// The user must land while its claims are young: past half the lease
	// they may soon be taken for abandoned and adopted, so the put gives up
	// at that deadline rather than write a user whose keys are another's.
	left := s.lease/2 - s.now().Sub(at)
	if left <= 0 {
		undo()
		return roster.ErrConflict
	}
	putCtx, cancel := context.WithTimeout(ctx, left)
	err = s.updateItem(putCtx, up)
	cancel()
	if err != nil {
		// Refused, the claims are undone; an answer lost on the way may
		// hide a user that was written, whose claims must stay (unused,
		// they are adopted after the lease).
		if conflict(err) || throttled(err) {
			undo()
		}
		return err
	}
	if p == nil {
		return nil
	}
	// The user is visible now: another writer may already link a
	// participant to it, so a refused participant leaves the user (a whole
	// user, as if saved alone) and the caller decides again.
	return s.put(ctx, pp)
}

// claim makes the lookup item pk point to user uid, claimed at at. It
// reports whether this call took the key (false when it was already uid's).
// A key held by another user is roster.ErrConflict, unless that claim is
// abandoned: then it is adopted.
func (s *Store) claim(ctx context.Context, tenant, pk, uid string, at time.Time) (bool, error) {
	item := lookupItem(pk, uid, at)
	var out *dynamodb.PutItemOutput
	err := s.call(ctx, func() (err error) {
		out, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                           &s.table,
			Item:                                item,
			ConditionExpression:                 new("attribute_not_exists(" + attrPK + ") OR " + attrUserID + " = :uid"),
			ExpressionAttributeValues:           map[string]types.AttributeValue{":uid": sv(uid)},
			ReturnValues:                        types.ReturnValueAllOld,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		return err
	})
	if err == nil {
		return len(out.Attributes) == 0, nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return false, err
	}
	old := ccf.Item
	if old == nil { // an emulator that does not return it
		if old, err = s.getItem(ctx, pk, skLookup); err != nil || old == nil {
			return false, errors.Join(roster.ErrConflict, err)
		}
	}
	gone, err := s.abandoned(ctx, tenant, pk, old)
	if err != nil {
		return false, err
	}
	if !gone {
		return false, roster.ErrConflict
	}
	cond, vals := sameClaim(old)
	if err := s.putItem(ctx, &dynamodb.PutItemInput{Item: item, ConditionExpression: &cond, ExpressionAttributeValues: vals}); err != nil {
		return false, err
	}
	return true, nil
}

// abandoned reports whether lookup item old, of key pk, is a claim left by a
// writer that died: past its lease, and its user missing or not holding pk.
func (s *Store) abandoned(ctx context.Context, tenant, pk string, old map[string]types.AttributeValue) (bool, error) {
	if s.fresh(old, s.now()) {
		return false, nil
	}
	item, err := s.getItem(ctx, userPK(tenant, str(old[attrUserID])), skUser)
	if err != nil || !isUser(item) {
		return err == nil, err
	}
	var u roster.User
	if _, err := decode(item, &u); err != nil {
		return false, err
	}
	return !holds(u, pk), nil
}

// unclaim releases a claim this call made, if it is still that claim. A
// failure leaves an abandoned claim, adopted later.
func (s *Store) unclaim(ctx context.Context, pk, uid string, at time.Time) {
	_ = s.call(ctx, func() error {
		_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(pk, skLookup),
			ConditionExpression: new(attrUserID + " = :uid AND " + attrClaimed + " = :at"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":uid": sv(uid), ":at": nv(at.UnixMilli()),
			}})
		return err
	})
}

// update changes an existing user over its stored version, with its
// participant (if any) and the claims and releases of the keys it changes,
// in one write.
func (s *Store) update(ctx context.Context, u roster.User, p *roster.Participant, shards int) error {
	item, err := s.getItem(ctx, userPK(u.Tenant, u.ID), skUser)
	if err != nil {
		return err
	}
	if item == nil || num(item[attrVersion]) != u.Version {
		return roster.ErrConflict
	}
	var old roster.User
	if _, err := decode(item, &old); err != nil {
		return err
	}
	// A participant saved with its user is new, or its program is in the
	// user's set already: adding it again is harmless.
	up, err := userUpdate(u, p)
	if err != nil {
		return err
	}
	writes := []types.TransactWriteItem{{Update: &up}}
	oldKeys, newKeys := lookupPKs(old), lookupPKs(u)
	mine := map[string]types.AttributeValue{":uid": sv(u.ID)}
	at := s.now()
	// Each unique key (DESIGN §4, V9) is claimed when set and released when
	// it changes, in the user's transaction.
	for _, pk := range newKeys {
		if contains(oldKeys, pk) {
			continue
		}
		cond, vals := "attribute_not_exists("+attrPK+") OR "+attrUserID+" = :uid", mine
		cur, err := s.getItem(ctx, pk, skLookup)
		if err != nil {
			return err
		}
		if cur != nil && str(cur[attrUserID]) != u.ID {
			gone, err := s.abandoned(ctx, u.Tenant, pk, cur)
			if err != nil {
				return err
			}
			if !gone {
				return roster.ErrConflict
			}
			cond, vals = sameClaim(cur)
		}
		writes = append(writes, types.TransactWriteItem{Put: &types.Put{Item: lookupItem(pk, u.ID, at), ConditionExpression: &cond, ExpressionAttributeValues: vals}})
	}
	for _, pk := range oldKeys {
		if !contains(newKeys, pk) {
			writes = append(writes, types.TransactWriteItem{Delete: &types.Delete{Key: key(pk, skLookup),
				ConditionExpression:       new("attribute_not_exists(" + attrPK + ") OR " + attrUserID + " = :uid"),
				ExpressionAttributeValues: mine}})
		}
	}
	if p != nil {
		pp, err := participantPut(*p, shards)
		if err != nil {
			return err
		}
		writes = append(writes, types.TransactWriteItem{Put: &pp})
	}
	if len(writes) == 1 {
		return s.updateItem(ctx, up)
	}
	for i := range writes {
		setTable(&writes[i], &s.table)
	}
	return s.call(ctx, func() error {
		_, err := s.api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
		return err
	})
}

func (s *Store) updateItem(ctx context.Context, u types.Update) error {
	return s.call(ctx, func() error {
		_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: u.Key, UpdateExpression: u.UpdateExpression,
			ConditionExpression: u.ConditionExpression, ExpressionAttributeValues: u.ExpressionAttributeValues})
		return err
	})
}

func (s *Store) put(ctx context.Context, p types.Put) error {
	return s.putItem(ctx, &dynamodb.PutItemInput{Item: p.Item, ConditionExpression: p.ConditionExpression, ExpressionAttributeValues: p.ExpressionAttributeValues})
}

// fresh reports whether lookup item's claim is within its lease. A lookup
// written before claims carried a time is not.
func (s *Store) fresh(item map[string]types.AttributeValue, now time.Time) bool {
	at, ok := item[attrClaimed]
	return ok && now.Sub(time.UnixMilli(num(at))) < s.lease
}

// sameClaim is the condition that lookup item old is still as read.
func sameClaim(old map[string]types.AttributeValue) (string, map[string]types.AttributeValue) {
	vals := map[string]types.AttributeValue{":ouid": sv(str(old[attrUserID]))}
	if at, ok := old[attrClaimed]; ok {
		vals[":oat"] = at
		return attrUserID + " = :ouid AND " + attrClaimed + " = :oat", vals
	}
	return attrUserID + " = :ouid AND attribute_not_exists(" + attrClaimed + ")", vals
}

// lookupItem is the lookup of key pk: the user's ID and when it was
// claimed, nothing more, so that it stays one write unit and a change of
// the user leaves it alone.
func lookupItem(pk, uid string, at time.Time) map[string]types.AttributeValue {
	item := key(pk, skLookup)
	item[attrUserID], item[attrClaimed] = sv(uid), nv(at.UnixMilli())
	return item
}

// lookupPKs are the lookup keys of u's set keys.
func lookupPKs(u roster.User) []string {
	var pks []string
	if u.Email != "" {
		pks = append(pks, emailPK(u.Tenant, u.Email))
	}
	if u.ExternalID != "" {
		pks = append(pks, extPK(u.Tenant, u.ExternalID))
	}
	if u.Username != "" {
		pks = append(pks, usernamePK(u.Tenant, u.Username))
	}
	return pks
}

// holds reports whether u has the key of lookup pk.
func holds(u roster.User, pk string) bool { return contains(lookupPKs(u), pk) }

func contains(pks []string, pk string) bool {
	for _, p := range pks {
		if p == pk {
			return true
		}
	}
	return false
}

// userUpdate writes u over its stored version (0: a new user) and adds the
// program of p, if any, to its set of programs. An update, not a put, so that
// the set, added to by join, is kept; a new user's set costs no write of
// its own.
func userUpdate(u roster.User, p *roster.Participant) (types.Update, error) {
	next := u
	next.Version++
	doc, err := encode(next)
	if err != nil {
		return types.Update{}, err
	}
	// A user's item may exist without the user: a program set written by
	// join for a participant saved before its user.
	cond, vals := "attribute_not_exists("+attrVersion+")", map[string]types.AttributeValue{}
	if u.Version != 0 {
		cond, vals = versionCondition(u.Version)
	}
	vals[":doc"], vals[":next"] = doc, nv(next.Version)
	expr := "SET " + attrDoc + " = :doc, " + attrVersion + " = :next"
	if p != nil {
		expr += " ADD " + attrProgs + " :prog"
		vals[":prog"] = &types.AttributeValueMemberSS{Value: []string{p.ProgramID}}
	}
	return types.Update{Key: key(userPK(u.Tenant, u.ID), skUser), UpdateExpression: &expr, ConditionExpression: &cond, ExpressionAttributeValues: vals}, nil
}

// participantPut is the put of p over its stored version, in its program's
// shard partition, with nothing for an index to write.
func participantPut(p roster.Participant, shards int) (types.Put, error) {
	next := p
	next.Version++
	doc, err := encode(next)
	if err != nil {
		return types.Put{}, err
	}
	cond, vals := versionCondition(p.Version)
	item := participantKey(p.Tenant, p.ProgramID, p.UserID, shards)
	item[attrDoc], item[attrVersion] = doc, nv(next.Version)
	return types.Put{Item: item, ConditionExpression: &cond, ExpressionAttributeValues: vals}, nil
}

func setTable(w *types.TransactWriteItem, table *string) {
	switch {
	case w.Put != nil:
		w.Put.TableName = table
	case w.Update != nil:
		w.Update.TableName = table
	case w.Delete != nil:
		w.Delete.TableName = table
	}
}
