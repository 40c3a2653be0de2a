package dynamo

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute names, in one place (DESIGN §4). Domain values live in doc as
// JSON; the other attributes are what keys, conditions and indexes need.
const (
	attrPK      = "pk"        // partition key
	attrSK      = "sk"        // sort key
	attrGSI1PK  = "gsi1pk"    // byProgram index: a program's imports (layout 1: also its participants' shard)
	attrGSI1SK  = "gsi1sk"    // byProgram index: creation time and import ID
	attrVersion = "ver"       // optimistic concurrency (N)
	attrDoc     = "doc"       // the domain value as JSON (S)
	attrUserID  = "uid"       // the user a lookup item points to
	attrClaimed = "claimedAt" // when a lookup item was claimed, epoch ms (N)
	attrExpires = "expiresAt" // TTL, epoch seconds (N)
	attrStatus  = "st"        // an import's status (S), for RunningImports
	attrApplied = "applied"   // an import's applied batches (NS), added to atomically
	attrProgs   = "progs"     // a user's programs (SS), for UserParticipations
	attrLayout  = "layout"    // the layout marker's layout number (N)
	attrShards  = "shards"    // the layout marker's participant shards (N)

	indexByProgram = "byProgram"
)

// Sort keys of the item kinds.
const (
	skUser    = "USER"
	skLookup  = "LOOKUP"
	skProgram = "PROGRAM"
	skImport  = "IMPORT"
	skClaim   = "CLAIM"
	skLayout  = "LAYOUT"
	prefixP   = "P#"   // participant: P#<program>
	prefixMap = "MAP#" // mapping: MAP#<role>#<signature>
)

// defaultShards spreads a new table's program participants over this many
// partitions, to stay under one partition's 1,000 writes a second in bulk
// imports: 32 take a program's import at 32,000 participant writes a
// second. A table keeps the number it was marked with (layout.go).
const defaultShards = 32

// claimTTL is how long a mail claim is remembered.
const claimTTL = 90 * 24 * time.Hour

func tenantKey(tenant string) string { return "T#" + tenant }

func userPK(tenant, userID string) string     { return tenantKey(tenant) + "#U#" + userID }
func emailPK(tenant, email string) string     { return tenantKey(tenant) + "#EMAIL#" + email }
func extPK(tenant, extID string) string       { return tenantKey(tenant) + "#EXT#" + extID }
func usernamePK(tenant, name string) string   { return tenantKey(tenant) + "#UNAME#" + name }
func programPK(tenant, program string) string { return tenantKey(tenant) + "#PROG#" + program }
func importPK(tenant, id string) string       { return tenantKey(tenant) + "#IMP#" + id }
func claimPK(key string) string               { return "MAIL#" + key }

// legacyParticipantSK is the sort key of a participant in layout 1, under
// its user's partition (migrate.go).
func legacyParticipantSK(program string) string { return prefixP + program }
func mappingSK(role, signature string) string {
	return prefixMap + role + "#" + signature
}

// participantKey is the key of userID's participation in a program: the
// program's shard partition, sorted by user ID. The partitions hold nothing
// else ("#PART#", a fixed-length shard suffix), so a shard's query lists
// participants only.
func participantKey(tenant, program, userID string, shards int) map[string]types.AttributeValue {
	return key(shardPK(tenant, program, shardOf(userID, shards)), userID)
}

func shardPK(tenant, program string, shard int) string {
	return fmt.Sprintf("%s#PART#%s#S%02d", tenantKey(tenant), program, shard)
}

func shardOf(userID string, shards int) int {
	h := fnv.New32a()
	h.Write([]byte(userID))
	return int(h.Sum32() % uint32(shards))
}

// layoutPK is the partition of the table's layout marker.
const layoutPK = "ROSTER#TABLE"

// importsPK is the index partition of a program's imports.
func importsPK(tenant, program string) string { return programPK(tenant, program) + "#IMPORTS" }

// importSK orders a program's imports by creation time, then ID.
func importSK(created time.Time, id string) string {
	return created.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + id
}
