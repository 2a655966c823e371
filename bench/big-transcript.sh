#!/bin/bash
# Peak memory of the receiving machine's `git ctx sync` when a 100 MB transcript gained one line
# (issue 22, point 8). Needs GNU time (apt-get install time). Usage: bash bench/big-transcript.sh

set -e
BIN=${BIN:-$(cd "$(dirname "$0")/../bin" && pwd)}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mk() { # name
  local h=$T/$1; mkdir -p $h/.claude/projects $h/p
  echo "HOME=$h XDG_CONFIG_HOME=$h/.config GIT_CONFIG_GLOBAL=$h/.gitconfig GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$1@x GIT_COMMITTER_NAME=$1 GIT_COMMITTER_EMAIL=$1@x GIT_CTX_MACHINE_ID=$1 GIT_CTX_OS=linux GIT_CTX_HOME=$h PATH=$BIN:$PATH"
}
EA=$(mk A); EB=$(mk B)
git init -q --bare $T/cluster.git
KEY=$(echo $T/A/p | sed 's/[^a-zA-Z0-9]/-/g'); mkdir -p $T/A/.claude/projects/$KEY
node -e '
const fs=require("fs"); const root=process.argv[1]; const out=fs.openSync(process.argv[2],"w");
let n=0; const pad="x".repeat(900);
for(let i=0;n<100*1024*1024;i++){const l=JSON.stringify({type:"user",uuid:"u"+i,cwd:root,message:{role:"user",content:"look at "+root+"/src/f"+i+".ts "+pad}})+"\n"; fs.writeSync(out,l); n+=l.length;}
' $T/A/p $T/A/.claude/projects/$KEY/s.jsonl
ls -la $T/A/.claude/projects/$KEY/
env $EA git ctx init --remote $T/cluster.git --id p $T/A/p >/dev/null
env $EB git ctx join --remote $T/cluster.git --id p $T/B/p >/dev/null
echo '{"type":"user","uuid":"new","cwd":"'$T/A/p'","message":{"role":"user","content":"one more"}}' >> $T/A/.claude/projects/$KEY/s.jsonl
touch -d '1 minute ago' $T/A/.claude/projects/$KEY/s.jsonl
env $EA git ctx sync
cd $T/B/.claude/projects && env $EB /usr/bin/time -v git ctx sync 2>&1 | grep -E "Maximum resident|Elapsed|git ctx sync"
