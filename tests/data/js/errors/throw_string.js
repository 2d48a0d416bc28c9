stack('ts', {});
throw 'plain text';
