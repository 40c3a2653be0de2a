package dynamo

import (
	"fmt"
	"hash/fnv"
	"time"
)

// Attribute names, in one place (DESIGN §4). Domain values live in doc as
// JSON; the other attributes are what keys, conditions and indexes need.
const (
	attrPK      = "pk"        // partition key
	attrSK      = "sk"        // sort key
	attrGSI1PK  = "gsi1pk"    // byProgram index: program shard, or a program's imports
	attrGSI1SK  = "gsi1sk"    // byProgram index: user ID, or creation time and import ID
	attrVersion = "ver"       // optimistic concurrency (N)
	attrDoc     = "doc"       // the domain value as JSON (S)
	attrUserID  = "uid"       // the user a lookup item points to
	attrClaimed = "claimedAt" // when a lookup item was claimed, epoch ms (N)
	attrExpires = "expiresAt" // TTL, epoch seconds (N)
	attrStatus  = "st"        // an import's status (S), for RunningImports
	attrApplied = "applied"   // an import's applied batches (NS), added to atomically

	indexByProgram = "byProgram"
)

// Sort keys of the item kinds.
const (
	skUser    = "USER"
	skLookup  = "LOOKUP"
	skProgram = "PROGRAM"
	skImport  = "IMPORT"
	skClaim   = "CLAIM"
	prefixP   = "P#"   // participant: P#<program>
	prefixMap = "MAP#" // mapping: MAP#<role>#<signature>
)

// participantShards spreads a program's participants over this many index
// partitions, to stay under one partition's write limit in bulk imports.
const participantShards = 16

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

func participantSK(program string) string { return prefixP + program }
func mappingSK(role, signature string) string {
	return prefixMap + role + "#" + signature
}

// programShardPK is the index partition of userID's participation in a
// program.
func programShardPK(tenant, program, userID string) string {
	return shardPK(tenant, program, shardOf(userID))
}

func shardPK(tenant, program string, shard int) string {
	return fmt.Sprintf("%s#S%02d", programPK(tenant, program), shard)
}

func shardOf(userID string) int {
	h := fnv.New32a()
	h.Write([]byte(userID))
	return int(h.Sum32() % participantShards)
}

// importsPK is the index partition of a program's imports.
func importsPK(tenant, program string) string { return programPK(tenant, program) + "#IMPORTS" }

// importSK orders a program's imports by creation time, then ID.
func importSK(created time.Time, id string) string {
	return created.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + id
}
