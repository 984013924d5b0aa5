#include "auth/leg_credentials.hpp"

namespace mailprobe::auth {

Outcome<net::Credentials> leg_credentials(const net::Credentials& creds, const TokenSpec& spec, Stage stage,
                                          const net::TlsPolicy& tls, const Deadline& dl,
                                          const std::string& state_file) {
  if (!creds.oauth()) return creds;
  TokenContext ctx;
  ctx.stage = stage;
  ctx.deadline = dl;
  ctx.cache = &shared_cache(cache_file_for(state_file));
  ctx.post = https_poster(tls, dl);
  ctx.now = WallClock::now();
  auto token = get_token(spec, ctx);
  if (!token) return token.error();
  net::Credentials out = creds;
  out.bearer = std::move(token.value());
  return out;
}

void forget_leg_token(const TokenSpec& spec, const std::string& state_file) {
  token_rejected(spec, &shared_cache(cache_file_for(state_file)));
}

}  // namespace mailprobe::auth
