#!/usr/bin/env python3
"""Times and levels that inquest reads from the raw Loghub-2k logs.
Usage: Benchmarks/loghub-times.py [INQUEST] [LOGHUB_DIR]
For every folder NAME in LOGHUB_DIR (default ../shared/loghub) holding NAME_2k.log,
runs `inquest inspect --output json` and `inquest logs --output ndjson` on it and
prints a Markdown row: the format (and for plain text the time's shape), records,
the share of records with a time, how many levels agree with the Level column of
NAME_2k.log_structured.csv when there is one, and skipped records."""
import csv, json, os, subprocess, sys
bin=sys.argv[1] if len(sys.argv) > 1 else '.build/release/inquest'
root=sys.argv[2] if len(sys.argv) > 2 else '../shared/loghub'
M={'i':'info','info':'info','d':'debug','debug':'debug','w':'warn','warn':'warn','warning':'warn','e':'error','error':'error','err':'error',
   'v':'trace','f':'fatal','fatal':'fatal','severe':'error','notice':'notice','critical':'fatal','crit':'fatal','failure':'error','fail':'error'}
print(f"| file | format (shape) | records | with time | level where lines carry one | skipped |")
print("|---|---|---|---|---|---|")
for n in sorted(os.listdir(root)):
    f=f'{root}/{n}/{n}_2k.log'
    if not os.path.exists(f): continue
    i=json.loads(subprocess.run([bin,'inspect','--output','json',f],capture_output=True,text=True).stdout)['inputs'][0]
    recs=[json.loads(l) for l in subprocess.run([bin,'logs','--output','ndjson',f],capture_output=True,text=True).stdout.splitlines()]
    timed=sum(1 for r in recs if r.get('time'))
    bysrc={int(r['source'].rsplit(':',1)[1]):r for r in recs}
    lvl='no level column'
    sc=f'{root}/{n}/{n}_2k.log_structured.csv'
    if os.path.exists(sc):
        rows=list(csv.DictReader(open(sc,errors='replace')))
        if rows and 'Level' in rows[0]:
            tot=ok=0
            for row in rows:
                want=M.get(row['Level'].strip().lower())
                if not want: continue
                tot+=1
                r=bysrc.get(int(row['LineId']))
                if r and r.get('level')==want: ok+=1
            lvl=f'{ok}/{tot} agree' if tot else 'no level words'
    d=i.get('format_detail')
    fmt=i['format']+(f' ({d})' if d else '')
    print(f"| {n} | {fmt} | {i['records']} | {100*timed/max(1,len(recs)):.1f} % | {lvl} | {i['skipped']} |")
