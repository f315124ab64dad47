#!/usr/bin/env bash
# The README's first command: install dependencies, build, and run Stela's main job.
# Today that is the analysis chain on sample sentences in several languages; the server issue
# turns this into `stela serve` with a sample corpus loaded.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
STELA=build/api/server/stela
"$STELA" version
while IFS=$'\t' read -r how text; do
  [ -z "$how" ] && continue
  echo
  echo "\$ stela analyze $how \"$text\""
  # shellcheck disable=SC2086  # $how holds two words on purpose
  "$STELA" analyze $how -- "$text"
done <<'SAMPLES'
--analyzer german	Die Häuser an der Straße sind schön.
--analyzer english	The runners' shoes were running faster than John's.
--analyzer french	L'élève d'aujourd'hui apprend jusqu'au soir.
--language ru	Программисты писали красивые программы.
--language auto	東京は日本の首都です。
--language auto	ภาษาไทยเป็นภาษาที่สวยงาม
--language auto	Los niños estaban jugando en los jardines.
--analyzer cjk	北京大学
SAMPLES
