#include "skiff/agent/server/websocket.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace skiff::agent::server {

std::string WebSocketAccept(std::string_view key) {
  std::string in(key);
  in += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), digest);
  unsigned char out[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

std::string EncodeWsFrame(uint8_t opcode, std::string_view payload,
                          std::optional<uint32_t> mask_key) {
  std::string f;
  f.push_back(static_cast<char>(0x80 | (opcode & 0x0F)));
  uint8_t mask_bit = mask_key ? 0x80 : 0;
  uint64_t len = payload.size();
  if (len < 126) {
    f.push_back(static_cast<char>(mask_bit | len));
  } else if (len <= 0xFFFF) {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(len >> 8));
    f.push_back(static_cast<char>(len & 0xFF));
  } else {
    f.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((len >> (8 * i)) & 0xFF));
  }
  if (!mask_key) {
    f.append(payload);
    return f;
  }
  uint8_t m[4] = {static_cast<uint8_t>(*mask_key >> 24), static_cast<uint8_t>(*mask_key >> 16),
                  static_cast<uint8_t>(*mask_key >> 8), static_cast<uint8_t>(*mask_key)};
  f.append(reinterpret_cast<const char*>(m), 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    f.push_back(static_cast<char>(static_cast<uint8_t>(payload[i]) ^ m[i % 4]));
  }
  return f;
}

std::optional<WsMessage> WsDecoder::Next() {
  while (error_.empty()) {
    if (buf_.size() < 2) return std::nullopt;
    const auto* b = reinterpret_cast<const uint8_t*>(buf_.data());
    bool fin = b[0] & 0x80;
    if (b[0] & 0x70) {
      error_ = "reserved bits set";
      return std::nullopt;
    }
    uint8_t opcode = b[0] & 0x0F;
    bool masked = b[1] & 0x80;
    uint64_t len = b[1] & 0x7F;
    size_t header = 2;
    if (len == 126) {
      if (buf_.size() < 4) return std::nullopt;
      len = (uint64_t{b[2]} << 8) | b[3];
      header = 4;
    } else if (len == 127) {
      if (buf_.size() < 10) return std::nullopt;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | b[2 + i];
      header = 10;
    }
    bool control = opcode & 0x08;
    if (control && (len > 125 || !fin)) {
      error_ = "bad control frame";
      return std::nullopt;
    }
    if (len > max_message_bytes_) {
      error_ = "message too large";
      return std::nullopt;
    }
    size_t mask_at = header;
    if (masked) header += 4;
    if (buf_.size() < header + len) return std::nullopt;
    std::string payload = buf_.substr(header, static_cast<size_t>(len));
    if (masked) {
      for (size_t i = 0; i < payload.size(); ++i) payload[i] ^= buf_[mask_at + i % 4];
    }
    buf_.erase(0, header + static_cast<size_t>(len));
    if (control) return WsMessage{opcode, std::move(payload)};
    if (opcode == kWsContinuation) {
      if (!partial_) {
        error_ = "continuation without a message";
        return std::nullopt;
      }
      partial_->payload += payload;
      if (partial_->payload.size() > max_message_bytes_) {
        error_ = "message too large";
        return std::nullopt;
      }
    } else {
      if (partial_) {
        error_ = "new message inside a fragmented one";
        return std::nullopt;
      }
      partial_ = WsMessage{opcode, std::move(payload)};
    }
    if (fin) {
      WsMessage m = std::move(*partial_);
      partial_.reset();
      return m;
    }
  }
  return std::nullopt;
}

}  // namespace skiff::agent::server
