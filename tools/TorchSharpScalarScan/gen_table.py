import sys
rows=[l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
def esc(s): return s.replace('\\','\\\\').replace('"','\\"')
head=open(sys.argv[2]).read().split('        {\n',1)[0]
out=[head.rstrip('\n')+'\n        {']
for id_,kind,reason,fix in rows:
    out.append(f'            ["{esc(id_)}"] = ("{kind}", "{esc(reason)}", "{esc(fix)}"),')
out.append('        };\n}')
open(sys.argv[2],'w').write('\n'.join(out)+'\n')
