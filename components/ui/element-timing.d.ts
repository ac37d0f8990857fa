import 'react';

// Element Timing (https://w3c.github.io/element-timing/): the browser reports when an element with this attribute is
// first painted. React passes the attribute through; its types do not list it yet.
declare module 'react' {
  interface HTMLAttributes<T> {
    elementtiming?: string;
  }
}
