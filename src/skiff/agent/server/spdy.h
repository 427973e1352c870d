// SPDY/3.1 framing, as kubectl up to 1.29 speaks it for exec (through spdystream): frames, their
// encoding and decoding, and header blocks compressed with zlib primed with the SPDY/3
// dictionary. No I/O here: the exec session (spdy_session.h) feeds bytes in and writes what
// comes out. Not thread-safe: a connection has one encoder and one decoder, each owning the zlib
// stream of its direction, which every header block of that direction goes through in order.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace skiff::agent::server {

// Control frame types; kData is a data frame.
enum class SpdyType : uint16_t {
  kData = 0,
  kSynStream = 1,
  kSynReply = 2,
  kRstStream = 3,
  kSettings = 4,
  kPing = 6,
  kGoAway = 7,
  kHeaders = 8,
  kWindowUpdate = 9,
};

inline constexpr uint16_t kSpdyVersion = 3;
inline constexpr uint8_t kSpdyFlagFin = 0x01;             // DATA, SYN_STREAM, SYN_REPLY, HEADERS
inline constexpr uint8_t kSpdyFlagUnidirectional = 0x02;  // SYN_STREAM
inline constexpr uint32_t kSpdyMaxFrameLength = (1u << 24) - 1;
// Every stream's and (3.1) the session's window until SETTINGS or WINDOW_UPDATE say otherwise.
inline constexpr uint32_t kSpdyDefaultWindow = 64 * 1024;

// RST_STREAM status codes.
enum SpdyRstStatus : uint32_t {
  kSpdyProtocolError = 1,
  kSpdyInvalidStream = 2,
  kSpdyRefusedStream = 3,
  kSpdyUnsupportedVersion = 4,
  kSpdyCancel = 5,
  kSpdyInternalError = 6,
  kSpdyFlowControlError = 7,
  kSpdyStreamInUse = 8,
  kSpdyStreamAlreadyClosed = 9,
  kSpdyFrameTooLarge = 11,
};

// GOAWAY status codes.
enum SpdyGoAwayStatus : uint32_t {
  kSpdyGoAwayOk = 0,
  kSpdyGoAwayProtocolError = 1,
  kSpdyGoAwayInternalError = 2,
};

// SETTINGS IDs (the others are advisory and ignored).
inline constexpr uint32_t kSpdySettingsMaxConcurrentStreams = 4;
inline constexpr uint32_t kSpdySettingsInitialWindowSize = 7;

// Header names travel lowercase; several values of one name are joined with NUL.
using SpdyHeaders = std::vector<std::pair<std::string, std::string>>;

struct SpdySetting {
  uint8_t flags = 0;
  uint32_t id = 0;  // 24 bits
  uint32_t value = 0;
};

// One frame. Which fields mean something depends on the type; the rest stay zero.
struct SpdyFrame {
  SpdyType type = SpdyType::kData;
  uint8_t flags = 0;
  // The stream of DATA, SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS and WINDOW_UPDATE (0 there:
  // the whole session); GOAWAY's last good stream.
  uint32_t stream_id = 0;
  uint32_t associated_id = 0;  // SYN_STREAM
  uint8_t priority = 0;        // SYN_STREAM: 0 (highest) to 7
  uint8_t slot = 0;            // SYN_STREAM
  SpdyHeaders headers;         // SYN_STREAM, SYN_REPLY, HEADERS
  std::string data;            // DATA
  uint32_t status = 0;         // RST_STREAM, GOAWAY
  uint32_t value = 0;          // PING's ID, WINDOW_UPDATE's delta
  std::vector<SpdySetting> settings;

  bool fin() const { return (flags & kSpdyFlagFin) != 0; }

  static SpdyFrame Data(uint32_t stream_id, std::string data, bool fin = false);
  static SpdyFrame SynStream(uint32_t stream_id, SpdyHeaders headers, uint8_t flags = 0);
  static SpdyFrame SynReply(uint32_t stream_id, SpdyHeaders headers, uint8_t flags = 0);
  static SpdyFrame RstStream(uint32_t stream_id, uint32_t status);
  static SpdyFrame Ping(uint32_t id);
  static SpdyFrame GoAway(uint32_t last_good_stream_id, uint32_t status);
  static SpdyFrame WindowUpdate(uint32_t stream_id, uint32_t delta);
};

// The SPDY/3 header compression dictionary: 1423 bytes, zlib dictionary ID 0xe3c6a7c2.
std::string_view SpdyHeaderDictionary();

// A header block before compression: the pair count, then each name and value, all lengths
// 32-bit big-endian.
std::string EncodeSpdyHeaderBlock(const SpdyHeaders& headers);
absl::StatusOr<SpdyHeaders> DecodeSpdyHeaderBlock(std::string_view block);

// One direction's zlib stream: every header block is compressed and sync-flushed into it in
// turn, so a block only inflates after all the blocks before it.
class SpdyHeaderDeflater {
 public:
  SpdyHeaderDeflater();
  ~SpdyHeaderDeflater();
  SpdyHeaderDeflater(const SpdyHeaderDeflater&) = delete;
  SpdyHeaderDeflater& operator=(const SpdyHeaderDeflater&) = delete;
  std::string Compress(std::string_view block);

 private:
  struct Stream;
  std::unique_ptr<Stream> z_;
};

class SpdyHeaderInflater {
 public:
  // Blocks inflating past `max_block_bytes` are refused (a peer's zlib bomb).
  explicit SpdyHeaderInflater(size_t max_block_bytes = 1024 * 1024);
  ~SpdyHeaderInflater();
  SpdyHeaderInflater(const SpdyHeaderInflater&) = delete;
  SpdyHeaderInflater& operator=(const SpdyHeaderInflater&) = delete;
  absl::StatusOr<std::string> Decompress(std::string_view compressed);

 private:
  size_t max_block_bytes_;
  struct Stream;
  std::unique_ptr<Stream> z_;
};

class SpdyEncoder {
 public:
  // The frame's bytes. DATA longer than one frame carries goes out as several frames, FIN (if
  // set) on the last.
  std::string Encode(const SpdyFrame& frame);

 private:
  SpdyHeaderDeflater deflater_;
};

class SpdyDecoder {
 public:
  void Feed(std::string_view bytes);
  // The next complete frame; nullopt when more bytes are needed or the connection is broken
  // (error() set: a malformed frame, a header block that does not inflate, a version other
  // than 3). Control frames of unknown types are skipped, as the spec asks.
  std::optional<SpdyFrame> Next();
  const std::string& error() const { return error_; }
  // Bytes fed but not yet returned as frames.
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::optional<SpdyFrame> Fail(std::string message);

  std::string buf_;
  size_t pos_ = 0;  // start of the first undecoded frame in buf_
  SpdyHeaderInflater inflater_;
  std::string error_;
};

}  // namespace skiff::agent::server
