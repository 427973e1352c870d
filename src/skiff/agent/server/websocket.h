// RFC 6455 WebSocket framing for the Kubernetes streaming protocols (channel.k8s.io v4/v5):
// the opening handshake's accept key and a frame encoder/decoder. No I/O here: the agent's exec
// stream feeds bytes in and writes what comes out. Not thread-safe (one decoder per stream).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::agent::server {

enum WsOpcode : uint8_t {
  kWsContinuation = 0x0,
  kWsText = 0x1,
  kWsBinary = 0x2,
  kWsClose = 0x8,
  kWsPing = 0x9,
  kWsPong = 0xA,
};

// base64(SHA-1(key + the RFC's GUID)): the Sec-WebSocket-Accept for a Sec-WebSocket-Key.
std::string WebSocketAccept(std::string_view key);

// One frame, FIN set. Servers send unmasked frames; clients must mask (`mask_key`).
std::string EncodeWsFrame(uint8_t opcode, std::string_view payload,
                          std::optional<uint32_t> mask_key = std::nullopt);

struct WsMessage {
  uint8_t opcode = 0;
  std::string payload;  // unmasked; fragments joined
};

class WsDecoder {
 public:
  explicit WsDecoder(size_t max_message_bytes = 16 * 1024 * 1024)
      : max_message_bytes_(max_message_bytes) {}
  void Feed(std::string_view bytes) { buf_.append(bytes); }
  // The next complete message (control frames come as they arrive, even between fragments);
  // nullopt when more bytes are needed or the stream is broken (see error()).
  std::optional<WsMessage> Next();
  const std::string& error() const { return error_; }

 private:
  size_t max_message_bytes_;
  std::string buf_;
  std::optional<WsMessage> partial_;  // a fragmented data message in progress
  std::string error_;
};

}  // namespace skiff::agent::server
