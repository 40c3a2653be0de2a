package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ClaimMessage records that the email with key is being sent and reports
// whether this call was first (A10: at most one send per key). Claims expire
// after 90 days.
func (s *Store) ClaimMessage(ctx context.Context, key string) (bool, error) {
	item := map[string]types.AttributeValue{attrPK: sv(claimPK(key)), attrSK: sv(skClaim), attrExpires: nv(s.now().Add(claimTTL).Unix())}
	err := s.putItem(ctx, &dynamodb.PutItemInput{Item: item, ConditionExpression: new("attribute_not_exists(" + attrPK + ")")})
	if conflict(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim message %s: %w", key, err)
	}
	return true, nil
}

// ReleaseMessage forgets a claim, so a send that failed can be tried again.
func (s *Store) ReleaseMessage(ctx context.Context, key string) error {
	err := s.call(ctx, func() error {
		_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: map[string]types.AttributeValue{attrPK: sv(claimPK(key)), attrSK: sv(skClaim)}})
		return err
	})
	if err != nil {
		return fmt.Errorf("release message %s: %w", key, err)
	}
	return nil
}
