// File: src/eventstream/event_stream.h
//
// The AWS event-stream codec (application/vnd.amazon.eventstream), the binary framing of
// Lambda's InvokeWithResponseStream response:
//   message.h        the message types, the wire format, and framing (encoding) that leaves the
//                    payload in place for writev(2)
//   decoder.h        Decoder: untrusted bytes in any split -> messages, with limits
//   lambda_events.h  Lambda's PayloadChunk and InvokeComplete events
// Sources: https://docs.aws.amazon.com/lexv2/latest/dg/event-stream-encoding.html (framing),
// https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html (events).
#ifndef ZEROSTART_SRC_EVENTSTREAM_EVENT_STREAM_H_
#define ZEROSTART_SRC_EVENTSTREAM_EVENT_STREAM_H_

#include "src/eventstream/decoder.h"
#include "src/eventstream/lambda_events.h"
#include "src/eventstream/message.h"

#endif  // ZEROSTART_SRC_EVENTSTREAM_EVENT_STREAM_H_
