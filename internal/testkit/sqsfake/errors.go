package sqsfake

import "net/http"

// apiError is an error the fake returns on the wire.
type apiError struct {
	status int    // HTTP status
	typ    string // shape name; written as __type "com.amazonaws.sqs#<typ>"
	code   string // query-compatible code for x-amzn-query-error; "" means typ
	msg    string
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

// queryCode is the value of the x-amzn-query-error header: "<code>;Sender"
// for 4xx, "<code>;Receiver" for 5xx, as AWS sends it.
func (e *apiError) queryCode() string {
	code := e.code
	if code == "" {
		code = e.typ
	}
	fault := "Sender"
	if e.status >= 500 {
		fault = "Receiver"
	}
	return code + ";" + fault
}

func senderError(typ, code, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: typ, code: code, msg: msg}
}

// The errors below use the shape names and query codes of the SQS model, so
// the SDK turns them into its typed errors with the same ErrorCode() as AWS.

func errQueueDoesNotExist() *apiError {
	return senderError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
		"The specified queue does not exist.")
}

func errQueueNameExists(name string) *apiError {
	return senderError("QueueNameExists", "QueueAlreadyExists",
		"A queue already exists with the same name and a different value for attribute(s): "+name)
}

func errReceiptHandleIsInvalid(handle string) *apiError {
	return senderError("ReceiptHandleIsInvalid", "",
		"The input receipt handle \""+handle+"\" is not a valid receipt handle.")
}

func errMessageNotInflight() *apiError {
	return senderError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
		"The message referred to isn't in flight.")
}

func errInvalidAttributeName(name string) *apiError {
	return senderError("InvalidAttributeName", "", "Unknown Attribute "+name+".")
}

func errInvalidAttributeValue(msg string) *apiError {
	return senderError("InvalidAttributeValue", "", msg)
}

func errInvalidParameterValue(msg string) *apiError {
	return senderError("InvalidParameterValue", "", msg)
}

func errInvalidMessageContents(msg string) *apiError {
	return senderError("InvalidMessageContents", "", msg)
}

func errEmptyBatchRequest() *apiError {
	return senderError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
		"There should be at least one entry in the request.")
}

func errTooManyEntriesInBatchRequest(n int) *apiError {
	return senderError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
		"Maximum number of entries per request are 10. You have sent "+itoa(n)+".")
}

func errBatchEntryIdsNotDistinct(id string) *apiError {
	return senderError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
		"Id "+id+" repeated.")
}

func errInvalidBatchEntryID(id string) *apiError {
	return senderError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
		"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long: "+id)
}

func errBatchRequestTooLong(size, limit int) *apiError {
	return senderError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
		"Batch requests cannot be longer than "+itoa(limit)+" bytes. You have sent "+itoa(size)+" bytes.")
}

func errUnknownOperation(target string) *apiError {
	// AWS answers an unknown target from its front end, outside the SQS
	// namespace; keep the shape name so the SDK shows a GenericAPIError.
	return senderError("UnknownOperationException", "",
		"sqsfake does not implement "+target)
}

func errMalformed(msg string) *apiError {
	return senderError("SerializationException", "", msg)
}

// Fault is an error that FailNext injects. The SDK sees it exactly as it would
// see the same reply from AWS: typed if Type is an SQS error shape (for
// example RequestThrottled), a smithy.GenericAPIError otherwise.
type Fault struct {
	// Status is the HTTP status; 0 means 400. A status ≥ 500 marks the fault
	// as the server's ("Receiver"), which the SDK's retryer retries.
	Status int
	// Type is the error shape name, written as "com.amazonaws.sqs#<Type>".
	Type string
	// Code is the query-compatible error code the SDK reports from
	// ErrorCode(); "" means Type.
	Code string
	// Message is the human-readable message.
	Message string
}

// Faults for FailNext. Throttling and RequestThrottled are both in the SDK's
// list of throttle codes, so its retryer backs off on them; InternalError and
// ServiceUnavailable are retried as server faults.
var (
	Throttling         = Fault{Status: http.StatusBadRequest, Type: "ThrottlingException", Message: "Rate exceeded"}
	RequestThrottled   = Fault{Status: http.StatusBadRequest, Type: "RequestThrottled", Message: "Request is throttled."}
	InternalError      = Fault{Status: http.StatusInternalServerError, Type: "InternalError", Message: "We encountered an internal error. Please try again."}
	ServiceUnavailable = Fault{Status: http.StatusServiceUnavailable, Type: "ServiceUnavailable", Message: "The request has failed due to a temporary failure of the server."}
)

func (f Fault) apiError() *apiError {
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	typ := f.Type
	if typ == "" {
		typ = "InternalError"
	}
	return &apiError{status: status, typ: typ, code: f.Code, msg: f.Message}
}
