// Which requests a fault spec applies to. A path without * is a prefix; with *, a glob over the
// whole path where * stays inside one segment and ** crosses segments. The query never counts.
import type { FaultMatch } from './types.js';

export type RequestMatcher = (method: string, pathname: string) => boolean;

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (ch === '*') {
      source += '[^/]*';
    } else {
      source += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

export function compileMatch(match: FaultMatch | undefined): RequestMatcher {
  const method = match?.method?.toUpperCase();
  const path = match?.path;
  const glob = path?.includes('*') ? globToRegExp(path) : undefined;
  return (reqMethod, pathname) => {
    if (method !== undefined && reqMethod.toUpperCase() !== method) return false;
    if (path === undefined) return true;
    return glob ? glob.test(pathname) : pathname.startsWith(path);
  };
}

/** The path part of a request target ("/a/b?x=1" -> "/a/b"). */
export function pathnameOf(url: string | undefined): string {
  const target = url ?? '/';
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}
