package sqsfake

// JSON shapes of the operations the fake serves. Field names are the member
// names of the SQS Smithy model, which AWS JSON 1.0 uses verbatim. Unknown
// members are ignored, so a newer SDK that sends more members still works.

type createQueueInput struct {
	QueueName  string
	Attributes map[string]string
}

type queueURLOutput struct {
	QueueUrl string
}

type getQueueURLInput struct {
	QueueName string
}

type queueInput struct {
	QueueUrl string
}

type getQueueAttributesInput struct {
	QueueUrl       string
	AttributeNames []string
}

type attributesOutput struct {
	Attributes map[string]string `json:",omitempty"`
}

type setQueueAttributesInput struct {
	QueueUrl   string
	Attributes map[string]string
}

// messageAttributeValue is MessageAttributeValue. BinaryValue is a blob,
// which encoding/json writes and reads as standard base64, as the SDK does.
// The list variants are reserved by AWS and not supported.
type messageAttributeValue struct {
	DataType    string
	StringValue *string `json:",omitempty"`
	BinaryValue []byte  `json:",omitempty"`
}

type sendMessageInput struct {
	QueueUrl          string
	MessageBody       string
	DelaySeconds      *int32
	MessageAttributes map[string]messageAttributeValue
	MessageGroupId    string
}

type sendMessageOutput struct {
	MessageId              string
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty"`
}

type sendMessageBatchInput struct {
	QueueUrl string
	Entries  []sendMessageBatchEntry
}

type sendMessageBatchEntry struct {
	Id                string
	MessageBody       string
	DelaySeconds      *int32
	MessageAttributes map[string]messageAttributeValue
	MessageGroupId    string
}

type sendMessageBatchResultEntry struct {
	Id                     string
	MessageId              string
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty"`
}

type batchResultErrorEntry struct {
	Id          string
	Code        string
	Message     string
	SenderFault bool
}

type sendMessageBatchOutput struct {
	Successful []sendMessageBatchResultEntry
	Failed     []batchResultErrorEntry
}

type receiveMessageInput struct {
	QueueUrl                    string
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
	MaxNumberOfMessages         *int32
	VisibilityTimeout           *int32
	WaitTimeSeconds             *int32
}

type wireMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string                `json:",omitempty"`
	MD5OfMessageAttributes string                           `json:",omitempty"`
	MessageAttributes      map[string]messageAttributeValue `json:",omitempty"`
}

type receiveMessageOutput struct {
	Messages []wireMessage `json:",omitempty"`
}

type deleteMessageInput struct {
	QueueUrl      string
	ReceiptHandle string
}

type deleteMessageBatchInput struct {
	QueueUrl string
	Entries  []deleteMessageBatchEntry
}

type deleteMessageBatchEntry struct {
	Id            string
	ReceiptHandle string
}

type batchIDEntry struct {
	Id string
}

type batchOutput struct {
	Successful []batchIDEntry
	Failed     []batchResultErrorEntry
}

type changeMessageVisibilityInput struct {
	QueueUrl          string
	ReceiptHandle     string
	VisibilityTimeout *int32
}

type changeMessageVisibilityBatchInput struct {
	QueueUrl string
	Entries  []changeMessageVisibilityBatchEntry
}

type changeMessageVisibilityBatchEntry struct {
	Id                string
	ReceiptHandle     string
	VisibilityTimeout *int32
}

type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}
